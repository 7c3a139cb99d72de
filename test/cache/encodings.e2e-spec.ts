import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { ENTRY_OVERHEAD_BYTES, FORM_OVERHEAD_BYTES } from '../../src/infra/cache/core/l1-store';
import { LocalTier } from '../../src/infra/cache/local-tier';
import { seedDemo } from './demo-api';

/** Raw bytes as sent (supertest would decode them): Fastify's inject runs every hook, sends nothing over TCP. */
async function get(api: TestApp, url: string, headers: Record<string, string> = {}) {
  const res = await api.app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers });
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload };
}

describe('HTTP edge: pre-compressed cached bodies and compression of the rest', () => {
  let ctx: TestContext;
  let api: TestApp;
  let identity: Buffer;

  beforeAll(async () => {
    ctx = await createTestContext('encodings');
    api = await ctx.startApp({ DEMO_ROUTES: true, CACHE_TTL_SECONDS: 60 });
    await seedDemo(api.http, 40);
    await api.http.delete('/cache').set(adminAuth).expect(200);
  });
  afterAll(() => ctx.close());

  it('the first answer is identity, then each form a client asks for is computed once, off the request path, and served from L1', async () => {
    const miss = await get(api, '/demo/items?limit=40', { 'accept-encoding': 'gzip, deflate, br' });
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers['content-encoding']).toBeUndefined(); // not compressed per request by the plugin either
    identity = miss.raw;
    expect(identity.length).toBeGreaterThan(1024);
    expect(JSON.parse(identity.toString()).items).toHaveLength(40);

    const br = await eventually(async () => {
      const res = await get(api, '/demo/items?limit=40', { 'accept-encoding': 'gzip, deflate, br' });
      return res.headers['content-encoding'] === 'br' ? res : undefined;
    });
    expect(br).toBeDefined();
    expect(br!.raw.length).toBeLessThan(identity.length / 3);
    expect(brotliDecompressSync(br!.raw).equals(identity)).toBe(true);
    expect(br!.headers.vary).toBe('Accept-Encoding');
    expect(br!.headers['content-type']).toMatch(/application\/json/);
    expect(Number(br!.headers['content-length'])).toBe(br!.raw.length);

    // Only br was asked for so far: L1 holds no gzip form. The first gzip client gets identity.
    const l1 = api.app.get(LocalTier).entries;
    const key = l1.keys().find((k) => k.startsWith('demo:list:'))!;
    expect(l1.get(key)).toMatchObject({ br: expect.any(Buffer), gzip: undefined });
    const gz = await eventually(async () => {
      const res = await get(api, '/demo/items?limit=40', { 'accept-encoding': 'br;q=0, gzip' });
      return res.headers['content-encoding'] === 'gzip' ? res : undefined;
    });
    expect(gunzipSync(gz!.raw).equals(identity)).toBe(true);
  });

  it('identity for clients that ask for it, send no Accept-Encoding, or refuse every coding we hold', async () => {
    const cases: Record<string, string>[] = [
      { 'accept-encoding': 'identity' },
      {},
      { 'accept-encoding': 'br;q=0, gzip;q=0' },
      { 'accept-encoding': 'deflate' },
    ];
    for (const headers of cases) {
      const res = await get(api, '/demo/items?limit=40', headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.raw.equals(identity)).toBe(true);
    }
  });

  it('each encoding has its own strong tag, and a 304 works with each', async () => {
    const plain = await get(api, '/demo/items?limit=40');
    const br = await get(api, '/demo/items?limit=40', { 'accept-encoding': 'br' });
    const gz = await get(api, '/demo/items?limit=40', { 'accept-encoding': 'gzip' });
    const tags = [plain.headers.etag, br.headers.etag, gz.headers.etag];
    expect(new Set(tags).size).toBe(3);
    expect(br.headers.etag).toBe(`${String(plain.headers.etag).slice(0, -1)}.br"`);

    const notModified = await get(api, '/demo/items?limit=40', { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    expect(notModified.status).toBe(304);
    expect(notModified.raw.length).toBe(0);
    expect(notModified.headers.etag).toBe(br.headers.etag);
    expect(notModified.headers['content-encoding']).toBeUndefined();
    expect((await get(api, '/demo/items?limit=40', { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) })).status).toBe(
      304,
    );
    // The br copy's tag does not validate the gzip representation: the client gets the body it asked for.
    const other = await get(api, '/demo/items?limit=40', { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) });
    expect(other.status).toBe(200);
    expect(gunzipSync(other.raw).equals(identity)).toBe(true);
  });

  it("the compressed forms count in L1's byte bound, beside each entry's bookkeeping", async () => {
    const l1 = api.app.get(LocalTier).entries;
    const key = [...l1.keys()].find((k) => k.startsWith('demo:list:'))!;
    const entry = l1.get(key)!;
    expect(entry.br && entry.gzip).toBeTruthy();
    const held = l1.keys().reduce((sum, k) => {
      const e = l1.get(k)!;
      return (
        sum +
        k.length +
        e.body.length +
        e.etag.length +
        (e.br ? e.br.length + FORM_OVERHEAD_BYTES : 0) +
        (e.gzip ? e.gzip.length + FORM_OVERHEAD_BYTES : 0) +
        ENTRY_OVERHEAD_BYTES
      );
    }, 0);
    expect(l1.bytes).toBe(held);
  });

  it('answers that are not cached are compressed per request by @fastify/compress (from 1 KB)', async () => {
    const stock = await get(api, '/demo/items-stock?limit=40', { 'accept-encoding': 'gzip' });
    expect(stock.status).toBe(200);
    expect(stock.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(stock.raw).toString()).items).toHaveLength(40);
    const small = await get(api, '/demo/ping', { 'accept-encoding': 'gzip, br' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.raw.toString())).toEqual({ ok: true });
  });
});
