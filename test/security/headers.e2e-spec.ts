import { connect } from 'node:net';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';
import { createCollection, signUp, startImagedoc } from '../imagedoc/imagedoc-helpers';

jest.setTimeout(60_000);

/** The headers every answer carries, whatever sent it. */
function expectSecurityHeaders(what: string, headers: Record<string, unknown>) {
  expect([what, headers['x-content-type-options']]).toEqual([what, 'nosniff']);
  expect([what, headers['referrer-policy']]).toEqual([what, 'no-referrer']);
  expect([what, String(headers['content-security-policy'])]).toEqual([what, expect.stringContaining("frame-ancestors 'none'")]);
  expect([what, headers['x-frame-options']]).toEqual([what, 'DENY']);
}

/**
 * Sends a request's head (declaring `contentLength` bytes) and only the first KB of its body over
 * a raw socket; resolves with the status line and how long the answer took. An app that waits for
 * the body it was promised never answers (the socket then times out).
 */
function headOnly(
  port: number,
  path: string,
  headers: Record<string, string>,
  contentLength: number,
): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${path} within 5 s while its body was not sent`));
    });
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) {
        socket.destroy();
        resolve({ status: Number(status[1]), ms: performance.now() - started });
      }
    });
    socket.on('error', reject);
    const head = Object.entries({ ...headers, 'content-length': String(contentLength), host: '127.0.0.1' })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n\r\n`);
    socket.write(Buffer.alloc(1024, 0x61));
  });
}

/** Issue #20 item 7: security headers on every answer, a CSP for /docs, and refusals before reading oversized bodies. */
describe('security: headers on every answer, oversized bodies refused before reading', () => {
  let ctx: TestContext;
  let api: TestApp;
  let port: number;

  beforeAll(async () => {
    ctx = await createTestContext('sec-headers');
    ({ api } = await startImagedoc(ctx, { RATE_LIMIT_GLOBAL: 1000 }));
    await api.app.listen(0, '127.0.0.1');
    port = Number(new URL(await api.app.getUrl()).port);
  });
  afterAll(() => ctx.close());

  it('sends them on JSON answers, errors of every kind, /docs and cache hits served before the router', async () => {
    expectSecurityHeaders('health', (await api.http.get('/health/live').expect(200)).headers);
    expectSecurityHeaders('404', (await api.http.get('/no/such/route').expect(404)).headers);
    expectSecurityHeaders('400', (await api.http.get('/games?page=0').expect(400)).headers);
    expectSecurityHeaders('bad URL', (await api.http.get('/games/%E0%A4%A').expect(400)).headers);
    expectSecurityHeaders('401', (await api.http.get('/auth/me').expect(401)).headers);
    expectSecurityHeaders('415', (await api.http.post('/auth/login').type('form').send('a=1').expect(415)).headers);

    const docs = await api.http.get('/docs').expect(200);
    expectSecurityHeaders('/docs', docs.headers);
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self'/);

    const miss = await api.http.get('/games?limit=3').expect(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    const hit = await api.http.get('/games?limit=3').expect(200);
    expect([hit.headers['x-cache'], hit.headers['x-cache-tier']]).toEqual(['HIT', 'l1']);
    expectSecurityHeaders('L1 hit', hit.headers);
    const notModified = await api.http.get('/games?limit=3').set('If-None-Match', String(hit.headers.etag)).expect(304);
    expectSecurityHeaders('304', notModified.headers);

    // This address has spent far more than 1 request in this window: the next one is refused.
    const limited = await ctx.startApp({ RATE_LIMIT_GLOBAL: 1 });
    expectSecurityHeaders('429', (await limited.http.get('/health/live').expect(429)).headers);
  });

  it('refuses an upload or a JSON body whose Content-Length is over the limit, before reading it', async () => {
    const owner = await signUp(api, 'owner');
    const collection = await createCollection(api, owner);
    const upload = await headOnly(
      port,
      `/collections/${collection._id}/documents`,
      { authorization: owner.auth.Authorization, 'content-type': 'multipart/form-data; boundary=x' },
      21 * 1024 * 1024,
    );
    const json = await headOnly(port, '/auth/login', { 'content-type': 'application/json' }, 2 * 1024 * 1024);
    console.log(JSON.stringify({ refusedBeforeReading: { upload21MiBMs: Math.round(upload.ms), json2MiBMs: Math.round(json.ms) } }));
    expect(upload.status).toBe(413);
    expect(json.status).toBe(413);
    // An upload just under the limit still goes through the route (here: not a valid image → 4xx, not 413).
    const small = await api.http
      .post(`/collections/${collection._id}/documents`)
      .set(owner.auth)
      .field('title', 'Small')
      .attach('file', Buffer.from('not an image'), 'a.png');
    expect(small.status).not.toBe(413);
    expect(small.status).toBeLessThan(500);
  });
});
