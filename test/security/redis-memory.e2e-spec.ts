import Redis from 'ioredis';
import type { RunningServer } from '../../src/infra/embedded/mongo-standin';
import { startRedisServer } from '../../src/infra/embedded/redis-server';
import { CacheInvalidator } from '../../src/infra/cache';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';

jest.setTimeout(60_000);

/** This suite fills its own small redis-server until it evicts, so it does not share the harness's. */
describe('security: Redis is capped and evicts cached entries, never the bookkeeping', () => {
  let ctx: TestContext;
  let server: RunningServer;
  let redis: Redis;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('sec-redis-memory');
    server = await startRedisServer({ maxmemory: '8mb' });
    redis = new Redis(server.uri);
    api = await ctx.startApp({ REDIS_URL: server.uri, CACHE_FEED_ENABLED: false }); // the feed's own invalidations would move the generation
  });
  afterAll(async () => {
    await ctx.close();
    redis.disconnect();
    await server.stop();
  });

  it('the harness redis-server and this one run with maxmemory and volatile-lru', async () => {
    expect(await ctx.redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'volatile-lru']);
    expect(await ctx.redis.config('GET', 'maxmemory')).toEqual(['maxmemory', String(256 * 1024 * 1024)]);
    expect(await redis.config('GET', 'maxmemory')).toEqual(['maxmemory', String(8 * 1024 * 1024)]);
  });

  it('under memory pressure, generation counters and list indexes survive and invalidation still reaches every list', async () => {
    await api.app.get(CacheInvalidator).invalidate('games'); // a write: the namespace now has a generation
    for (const page of [1, 2, 3]) await api.http.get(`/games?page=${page}`).expect(200);
    expect(await redis.pttl('games:meta:gen')).toBe(-1);
    expect(await redis.pttl('games:meta:lists')).toBe(-1);
    expect(await redis.zcard('games:meta:lists')).toBe(3);
    expect(await redis.pttl('games:list')).toBeGreaterThan(0);

    // Fill well past the cap with keys that have a TTL, as a busy cache would.
    const filler = Buffer.alloc(256 * 1024, 1);
    for (let i = 0; i < 64; i++) await redis.set(`filler:${i}`, filler, 'PX', 600_000);
    const stats = await redis.info('stats');
    expect(Number(/evicted_keys:(\d+)/.exec(stats)![1])).toBeGreaterThan(0);
    expect(await redis.get('games:meta:gen')).toBe('1');
    expect(await redis.exists('games:meta:lists')).toBe(1);

    // Whatever list entries survived, a write still finds and deletes them.
    await api.app.get(CacheInvalidator).invalidate('games');
    expect((await redis.keys('games:list*')).length).toBe(0);
    expect((await api.http.get('/games?page=2').expect(200)).headers['x-cache']).toBe('MISS');
  });
});
