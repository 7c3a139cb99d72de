/**
 * List-variant bookkeeping stays bounded: anyone can send new query strings, so the index of a
 * namespace's list keys must neither grow past its cap nor make a write's invalidation slow.
 * Runs its own redis-server, because it reconfigures SLOWLOG.
 */
import Redis from 'ioredis';
import { startRedisServer } from '../../src/infra/embedded/redis-server';
import type { RunningServer } from '../../src/infra/embedded/mongo-standin';
import { CacheInvalidator, TwoTierCache, cacheKeys } from '../../src/infra/cache';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

const CAP = 1000;
const QUERIES = 20_000;

describe('shared cache: bounded list-variant bookkeeping', () => {
  let ctx: TestContext;
  let server: RunningServer;
  let redis: Redis;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('list-variants');
    server = await startRedisServer();
    redis = new Redis(server.uri);
    api = await ctx.startApp({ DEMO_ROUTES: true, REDIS_URL: server.uri, CACHE_LIST_VARIANTS_MAX: CAP });
    await seedDemo(api.http, 3);
  });
  afterAll(async () => {
    redis.disconnect();
    await ctx.close();
    await server.stop();
  });

  /** Every list key in Redis for the namespace, found by SCAN (the test may; the app never does). */
  async function listKeysInRedis(namespace: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:list*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  }

  it(`keeps at most ${CAP} variants while ${QUERIES} distinct queries arrive, and one write's invalidation stays under 10 ms of Redis time`, async () => {
    // Through HTTP: distinct query strings on a real cached route are indexed.
    const seeded = await redis.zcard(cacheKeys.listIndex('demo')); // the seed helper's own read
    for (let page = 1; page <= 20; page++) await api.http.get('/demo/items').query({ page, limit: 1 }).expect(200);
    expect(await redis.zcard(cacheKeys.listIndex('demo'))).toBe(seeded + 20);

    // The same store path, driven directly so 20,000 misses do not take minutes of MongoDB reads.
    const cache = api.app.get(TwoTierCache);
    const body = Buffer.from(JSON.stringify({ items: [], total: 0 }));
    let largestIndex = 0;
    for (let start = 0; start < QUERIES; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          cache.getOrLoad('demo', cacheKeys.list('demo', { q: `query-${start + i}` }), async () => body, { isList: true }),
        ),
      );
      largestIndex = Math.max(largestIndex, await redis.zcard(cacheKeys.listIndex('demo')));
    }
    expect(largestIndex).toBe(CAP); // reached, never passed
    // A list key the index forgot could not be invalidated: evicted members took their keys along.
    const before = await listKeysInRedis('demo');
    expect(before.length).toBeLessThanOrEqual(CAP);

    await redis.config('SET', 'slowlog-log-slower-than', '0');
    await redis.slowlog('RESET');
    await api.app.get(CacheInvalidator).invalidate('demo', []);
    const entries = (await redis.slowlog('GET', 1000)) as [number, number, number, string[]][];
    await redis.config('SET', 'slowlog-log-slower-than', '10000');
    const scripts = entries.filter(([, , , args]) => ['evalsha', 'eval'].includes(String(args[0]).toLowerCase()));
    expect(scripts).toHaveLength(1);
    const invalidationMicros = scripts[0][2];
    console.log(JSON.stringify({ listVariants: before.length, invalidationMicros }));
    expect(invalidationMicros).toBeLessThan(10_000);
    expect(await listKeysInRedis('demo')).toEqual([]);
  });

  it('prunes members whose key expired when the next variant is stored', async () => {
    const cache = api.app.get(TwoTierCache);
    const body = Buffer.from('{}');
    // The previous test's burst may have tripped the breaker on this loaded machine; stores need Redis.
    expect(await eventually(async () => (await api.http.get('/health/ready')).body.breaker === 'closed', 5000, 50)).toBe(true);
    for (let i = 0; i < 50; i++) {
      await cache.getOrLoad('expiring', cacheKeys.list('expiring', { q: `short-${i}` }), async () => body, { isList: true, ttlSeconds: 1 });
    }
    expect(await redis.zcard(cacheKeys.listIndex('expiring'))).toBe(50);
    const [, keysLeft] = await redis.scan('0', 'MATCH', 'expiring:list:*', 'COUNT', 1000);
    // Poll until Redis has expired the short-lived keys (no sleep of a guessed length).
    const deadline = Date.now() + 5000;
    while ((await redis.exists(...keysLeft)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await cache.getOrLoad('expiring', cacheKeys.list('expiring', { q: 'long' }), async () => body, { isList: true });
    expect(await redis.zcard(cacheKeys.listIndex('expiring'))).toBe(1);
  });
});
