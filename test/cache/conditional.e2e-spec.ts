import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
import { HttpCacheInterceptor } from '../../src/infra/cache/http/http-cache.interceptor';
import { LocalTier } from '../../src/infra/cache/local-tier';
import { seedDemo } from './demo-api';

describe('HTTP edge: conditional requests (ETag, If-None-Match, 304)', () => {
  let ctx: TestContext;
  let a: TestApp;
  let items: { _id: string; name: string }[];

  beforeAll(async () => {
    ctx = await createTestContext('conditional');
    a = await ctx.startApp({ DEMO_ROUTES: true, CACHE_TTL_SECONDS: 60 });
    items = await seedDemo(a.http, 5);
    await a.http.delete('/cache').set(adminAuth).expect(200);
  });
  afterAll(() => ctx.close());

  it('a cached answer carries a strong ETag (the same on MISS and HIT), no-cache and Vary: Accept-Encoding', async () => {
    const miss = await a.http.get('/demo/items').expect(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(miss.headers['cache-control']).toBe('no-cache');
    expect(miss.headers.vary).toBe('Accept-Encoding');
    const hit = await a.http.get('/demo/items').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers.etag).toBe(miss.headers.etag);
    expect(hit.headers['cache-control']).toBe('no-cache');
  });

  it('If-None-Match naming the tag gets a 304 with no body from L1 on the fast path (Nest never runs)', async () => {
    const { headers } = await a.http.get('/demo/items').expect(200);
    const intercept = jest.spyOn(HttpCacheInterceptor.prototype, 'intercept');
    try {
      for (const given of [headers.etag, `W/${headers.etag}`, `"other", ${headers.etag}`, '*']) {
        const res = await a.http.get('/demo/items').set('If-None-Match', given).expect(304);
        expect(res.text).toBe('');
        expect(res.headers.etag).toBe(headers.etag);
        expect(res.headers['x-cache-tier']).toBe('l1');
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.headers['content-length']).toBeUndefined();
      }
      expect(intercept).not.toHaveBeenCalled();
    } finally {
      intercept.mockRestore();
    }
    const other = await a.http.get('/demo/items').set('If-None-Match', '"not-this-one"').expect(200);
    expect(other.body.items).toHaveLength(5);
  });

  it('304 from L2: on another instance, and on this one after its L1 is cleared', async () => {
    const { headers } = await a.http.get('/demo/items').expect(200);
    const b = await ctx.startApp({ DEMO_ROUTES: true, CACHE_TTL_SECONDS: 60 });
    try {
      const fromB = await b.http.get('/demo/items').set('If-None-Match', headers.etag).expect(304);
      expect(fromB.headers['x-cache-tier']).toBe('l2');
      expect(fromB.headers.etag).toBe(headers.etag);
      expect(fromB.text).toBe('');
    } finally {
      await b.close();
    }
    a.app.get(LocalTier).entries.clear();
    const fromA = await a.http.get('/demo/items').set('If-None-Match', headers.etag).expect(304);
    expect(fromA.headers['x-cache-tier']).toBe('l2');
  });

  it('the ETag changes after a write: the old tag gets the new body with a 200', async () => {
    const id = items[1]._id;
    const before = await a.http.get(`/demo/items/${id}`).expect(200);
    await a.http.get(`/demo/items/${id}`).set('If-None-Match', before.headers.etag).expect(304);
    await a.http.patch(`/demo/items/${id}`).set(adminAuth).send({ name: 'renamed for the etag test' }).expect(200);
    const after = await a.http.get(`/demo/items/${id}`).set('If-None-Match', before.headers.etag).expect(200);
    expect(after.body.name).toBe('renamed for the etag test');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    await a.http.get(`/demo/items/${id}`).set('If-None-Match', after.headers.etag).expect(304);
  });

  it('per-caller answers are private and vary with Authorization; their 304 comes through the interceptor (never learnt by the fast path)', async () => {
    const res = await a.http.get('/students').expect(200);
    expect(res.headers['x-cache']).toBe('MISS');
    expect(res.headers['cache-control']).toBe('private, no-cache');
    expect(res.headers.vary).toBe('Accept-Encoding, Authorization');
    const intercept = jest.spyOn(HttpCacheInterceptor.prototype, 'intercept');
    try {
      const notModified = await a.http.get('/students').set('If-None-Match', res.headers.etag).expect(304);
      expect(notModified.headers['x-cache-tier']).toBe('l1');
      expect(notModified.headers['cache-control']).toBe('private, no-cache');
      expect(intercept).toHaveBeenCalled();
    } finally {
      intercept.mockRestore();
    }
  });

  it('HEAD gets the same validator and the same 304', async () => {
    const { headers } = await a.http.get('/demo/items').expect(200);
    const head = await a.http.head('/demo/items').expect(200);
    expect(head.headers.etag).toBe(headers.etag);
    expect(head.text).toBeUndefined();
    const notModified = await a.http.head('/demo/items').set('If-None-Match', headers.etag).expect(304);
    // If sent at all, a 304's Content-Length is the one a 200 would have had.
    expect(notModified.headers['content-length']).toBe(head.headers['content-length']);
  });

  it('errors carry no ETag and are never 304', async () => {
    const res = await a.http.get('/demo/items/0123456789abcdef01234567').set('If-None-Match', '*').expect(404);
    expect(res.headers.etag).toBeUndefined();
  });
});
