import { CACHE_MANAGER, Cache } from '@nestjs/cache-manager';
import { createTestContext, adminAuth, TestApp, TestContext } from '../harness/test-app';
import { cacheKeys } from '../../src/infra/cache';
import { seedDemo } from './demo-api';
import { monitorRedis } from '../harness/redis-monitor';

describe('shared cache: cache-aside through both tiers', () => {
  let ctx: TestContext;
  let api: TestApp;
  let items: { _id: string; name: string; price: number }[];

  beforeAll(async () => {
    ctx = await createTestContext('cache-aside');
    // The cache core alone: the change feed's own keys (lease, resume tokens) would move the dbsize checks.
    api = await ctx.startApp({ DEMO_ROUTES: true, CACHE_TTL_SECONDS: 60, CACHE_FEED_ENABLED: false });
    items = await seedDemo(api.http, 12);
    await ctx.redis.flushdb();
    await api.http.delete('/cache').set(adminAuth).expect(200);
  });
  afterAll(() => ctx.close());

  it('answers MISS, then HIT from L1, with the same body; the plain list key is readable in Redis with a TTL within the configured one', async () => {
    const cold = await api.http.get('/demo/items').expect(200);
    expect(cold.headers['x-cache']).toBe('MISS');
    expect(cold.headers['x-cache-tier']).toBeUndefined();
    const hot = await api.http.get('/demo/items').expect(200);
    expect(hot.headers['x-cache']).toBe('HIT');
    expect(hot.headers['x-cache-tier']).toBe('l1');
    expect(hot.headers['content-type']).toMatch(/application\/json/);
    expect(hot.body).toEqual(cold.body);
    expect(cold.body.total).toBe(12);

    expect(JSON.parse((await ctx.redis.get('demo:list'))!)).toEqual(cold.body);
    const ttl = await ctx.redis.pttl('demo:list');
    // TTL jitter removes up to 10 %: the key lives between 54 and 60 s.
    expect(ttl).toBeGreaterThan(53_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('keys list variants by the sha1 of the sorted, validated query (defaults left out), whatever the parameter order', async () => {
    const a = await api.http.get('/demo/items?page=1&limit=5').expect(200);
    const b = await api.http.get('/demo/items?limit=5&page=1').expect(200);
    expect(a.headers['x-cache']).toBe('MISS');
    expect(b.headers['x-cache']).toBe('HIT');
    // page=1 is the default, and limit is the number the handler sees.
    expect(await ctx.redis.exists(cacheKeys.list('demo', { limit: 5 }))).toBe(1);
    expect(cacheKeys.list('demo', { limit: 5 })).toMatch(/^demo:list:[0-9a-f]{40}$/);
  });

  it('caches single documents under <ns>:id:<id>', async () => {
    const id = items[0]._id;
    expect((await api.http.get(`/demo/items/${id}`).expect(200)).headers['x-cache']).toBe('MISS');
    expect((await api.http.get(`/demo/items/${id}`).expect(200)).headers['x-cache']).toBe('HIT');
    expect(JSON.parse((await ctx.redis.get(`demo:id:${id}`))!).name).toBe(items[0].name);
  });

  it('does not cache errors: a malformed id is a 400 every time and stores nothing', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await api.http.get('/demo/items/not-an-id').expect(400);
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/ObjectId/)]));
    }
    expect(await ctx.redis.exists('demo:id:not-an-id')).toBe(0);
    const unknown = '0123456789abcdef01234567';
    await api.http.get(`/demo/items/${unknown}`).expect(404);
    expect(await ctx.redis.exists(`demo:id:${unknown}`)).toBe(0);
  });

  it('a write removes the id key and every list variant from both tiers, without KEYS or SCAN', async () => {
    const id = items[1]._id;
    await api.http.get(`/demo/items/${id}`).expect(200);
    await api.http.get('/demo/items').expect(200);
    await api.http.get('/demo/items?limit=3').expect(200);
    expect(await ctx.redis.exists(`demo:id:${id}`, 'demo:list', cacheKeys.list('demo', { limit: 3 }))).toBe(3);

    const monitor = await monitorRedis(ctx.redis);
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()));
    await api.http.patch(`/demo/items/${id}`).set(adminAuth).send({ name: 'renamed' }).expect(200);
    await new Promise((r) => setTimeout(r, 50)); // let MONITOR deliver what it saw
    monitor.disconnect();

    expect(commands).not.toContain('keys');
    expect(commands).not.toContain('scan');
    expect(await ctx.redis.exists(`demo:id:${id}`, 'demo:list', cacheKeys.list('demo', { limit: 3 }))).toBe(0);
    // Another id's entry survives a write to its neighbour.
    expect(await ctx.redis.exists(`demo:id:${items[0]._id}`)).toBe(1);

    const single = await api.http.get(`/demo/items/${id}`).expect(200);
    expect(single.headers['x-cache']).toBe('MISS');
    expect(single.body.name).toBe('renamed');
    const list = await api.http.get('/demo/items').expect(200);
    expect(list.headers['x-cache']).toBe('MISS');
    expect(list.body.items.find((i: { _id: string }) => i._id === id).name).toBe('renamed');
  });

  it('serves from L2 when L1 is off, and a second instance shares L2', async () => {
    const l2Only = await ctx.startApp({ DEMO_ROUTES: true, CACHE_L1_ENABLED: false });
    await api.http.get('/demo/items?limit=7').expect(200); // fills both tiers through the first instance
    const res = await l2Only.http.get('/demo/items?limit=7').expect(200);
    expect(res.headers['x-cache']).toBe('HIT');
    expect(res.headers['x-cache-tier']).toBe('l2');
    const again = await l2Only.http.get('/demo/items?limit=7').expect(200);
    expect(again.headers['x-cache-tier']).toBe('l2');
    await l2Only.close();
  });

  it('rejects query operators and unknown query fields with 400 and caches nothing', async () => {
    const before = await ctx.redis.dbsize();
    const res = await api.http.get('/demo/items?limit[$gt]=1').expect(400);
    expect(res.body.statusCode).toBe(400);
    await api.http.get('/demo/items?colour=red').expect(400);
    await api.http.get('/demo/items?limit=1000').expect(400);
    expect(await ctx.redis.dbsize()).toBe(before);
  });

  it("keeps @nestjs/cache-manager's CACHE_MANAGER (the demo's comparison routes) working on Redis", async () => {
    const manager = api.app.get<Cache>(CACHE_MANAGER);
    await manager.set('probe', { ok: 1 }, 5_000);
    expect(await manager.get('probe')).toEqual({ ok: 1 });
    expect(await ctx.redis.keys('cache-manager:*')).toEqual(['cache-manager::probe']);
    // The stock interceptor on /demo/items-stock stores through it as well.
    await api.http.get('/demo/items-stock').expect(200);
    expect((await ctx.redis.keys('cache-manager:*')).some((k) => k.includes('/demo/items-stock'))).toBe(true);
  });

  it('bypasses the cache when CACHE_ENABLED=false', async () => {
    const bypass = await ctx.startApp({ DEMO_ROUTES: true, CACHE_ENABLED: false });
    const res = await bypass.http.get('/demo/items').expect(200);
    expect(res.headers['x-cache']).toBe('BYPASS');
    await bypass.close();
  });
});
