import { MARK_LENGTH } from '../../src/infra/cache/core/value-mark';
import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

describe('shared cache: admin API and metrics', () => {
  let ctx: TestContext;
  let api: TestApp;
  let ids: string[];

  beforeAll(async () => {
    ctx = await createTestContext('cache-admin');
    api = await ctx.startApp({ DEMO_ROUTES: true });
    ids = (await seedDemo(api.http, 30)).map((i) => i._id);
    await api.http.delete('/cache').set(adminAuth).expect(200);
    for (const id of ids) await api.http.get(`/demo/items/${id}`).expect(200);
    await api.http.get('/demo/items').expect(200);
    await api.http.get('/demo/items').expect(200);
  });
  afterAll(() => ctx.close());

  it('requires the admin bearer: 401 without or with an unknown token', async () => {
    const missing = await api.http.get('/cache/stats').expect(401);
    expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    // An unknown token is not a credential at all: 401 (403 is for a valid token without the right).
    await api.http.get('/cache/stats').set('Authorization', 'Bearer wrong-token').expect(401);
  });

  it('reports hits, misses and ratios per tier and namespace, and L1 size', async () => {
    const { body } = await api.http.get('/cache/stats').set(adminAuth).expect(200);
    expect(body.redis).toBe('up');
    // seedDemo's own list read was the first miss.
    expect(body.namespaces.demo).toMatchObject({ misses: 32, l1Hits: 1, requests: 33 });
    expect(body.namespaces.demo.hitRatio).toBeCloseTo(1 / 33, 3);
    expect(body.l1.entries).toBe(31);
    expect(body.l1.bytes).toBeGreaterThan(0);
  });

  it('lists keys by prefix with a SCAN cursor until done', async () => {
    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      const { body } = await api.http.get('/cache/keys').query({ prefix: 'demo:id:', cursor, count: 10 }).set(adminAuth).expect(200);
      body.keys.forEach((k: string) => seen.add(k));
      cursor = body.cursor;
      pages++;
    } while (cursor !== '0' && pages < 100);
    expect(seen).toEqual(new Set(ids.map((id) => `demo:id:${id}`)));
    await api.http.get('/cache/keys').query({ prefix: 'demo:*' }).set(adminAuth).expect(400);
    await api.http.get('/cache/keys').query({ cursor: 'abc' }).set(adminAuth).expect(400);
  });

  it('shows one entry with its TTL in each tier, deletes it, and 404s afterwards', async () => {
    const key = `demo:id:${ids[0]}`;
    const { body } = await api.http.get(`/cache/entries/${key}`).set(adminAuth).expect(200);
    expect(body.value._id).toBe(ids[0]);
    expect(body.l2.ttlMs).toBeGreaterThan(0);
    expect(body.l1.ttlMs).toBeGreaterThan(0);
    await api.http.delete(`/cache/entries/${key}`).set(adminAuth).expect(204);
    expect(await ctx.redis.exists(key)).toBe(0);
    await api.http.get(`/cache/entries/${key}`).set(adminAuth).expect(404);
    await api.http.get('/cache/entries/bad%20key').set(adminAuth).expect(400);
  });

  it("shows a namespace's list index (a sorted set) by its size, not a 500", async () => {
    const key = 'demo:meta:lists';
    expect(await ctx.redis.type(key)).toBe('zset');
    const { body } = await api.http.get(`/cache/entries/${key}`).set(adminAuth).expect(200);
    expect(body).toMatchObject({ key, value: { type: 'zset', size: await ctx.redis.zcard(key) }, l1: null });
  });

  it('answers an overlong key (beyond the router limit) and a malformed URL with the shared error shape', async () => {
    const long = await api.http
      .get(`/cache/entries/${'k'.repeat(513)}`)
      .set(adminAuth)
      .expect(414);
    expect(long.body).toMatchObject({ statusCode: 414, error: 'URI Too Long', path: expect.stringContaining('/cache/entries/') });
    expect(long.body.requestId).toEqual(expect.any(String));
    // 512 characters is a valid key length: it reaches validation (and is simply absent).
    await api.http
      .get(`/cache/entries/${'k'.repeat(512)}`)
      .set(adminAuth)
      .expect(404);
    const malformed = await api.http.get('/cache/entries/%E0%A4%A').set(adminAuth).expect(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request', timestamp: expect.any(String) });
  });

  it('re-syncs L1 from Redis (a backup on demand): changed entries updated, vanished ones dropped', async () => {
    const changedKey = `demo:id:${ids[1]}`;
    const goneKey = `demo:id:${ids[2]}`;
    // Changed by another instance of this deployment: behind the same mark as every value we store.
    const mark = (await ctx.redis.getBuffer(changedKey))!.subarray(0, MARK_LENGTH);
    const changed = Buffer.from(JSON.stringify({ _id: ids[1], name: 'changed behind our back' }));
    await ctx.redis.set(changedKey, Buffer.concat([mark, changed]), 'PX', 60_000);
    await ctx.redis.del(goneKey);
    const { body } = await api.http.post('/cache/refresh').set(adminAuth).expect(200);
    expect(body.dropped).toBe(1);
    expect(body.checked).toBeGreaterThan(1);
    const served = await api.http.get(`/demo/items/${ids[1]}`).expect(200);
    expect(served.headers['x-cache-tier']).toBe('l1');
    expect(served.body.name).toBe('changed behind our back');
    expect((await api.http.get(`/demo/items/${ids[2]}`).expect(200)).headers['x-cache']).toBe('MISS');
  });

  it('clears one prefix or everything', async () => {
    await api.http.get('/demo/items').expect(200);
    const byPrefix = await api.http.delete('/cache').query({ prefix: 'demo:list' }).set(adminAuth).expect(200);
    expect(byPrefix.body.removed).toBeGreaterThanOrEqual(1);
    expect(await ctx.redis.exists('demo:list')).toBe(0);
    expect(await ctx.redis.exists(`demo:id:${ids[3]}`)).toBe(1);
    await api.http.delete('/cache').set(adminAuth).expect(200);
    expect(await ctx.redis.exists(`demo:id:${ids[3]}`)).toBe(0);
  });

  it('exports cache and HTTP metrics in Prometheus format', async () => {
    const { text } = await api.http.get('/metrics').set(adminAuth).expect(200);
    expect(text).toMatch(/cache_hits_total\{tier="l1",namespace="demo"\} \d+/);
    expect(text).toMatch(/cache_misses_total\{namespace="demo"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/demo\/items\/:id",status="200"\} \d+/);
  });
});
