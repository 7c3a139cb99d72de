/**
 * Two deployments on different databases share one Redis (one db index): neither may ever be
 * served the other's entries, and a write in one leaves the other's cache alone.
 */
import { ChangeFeed } from '../../src/infra/cache';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

describe('shared cache: deployments sharing one Redis', () => {
  let ctx: TestContext;
  let first: TestApp;
  let second: TestApp;
  let secondDb: string;

  beforeAll(async () => {
    ctx = await createTestContext('scoped-keys');
    secondDb = `${ctx.dbName}_b`;
    // `auto` is the default outside the harness: scoped by database unless it is the default one.
    first = await ctx.startApp({ DEMO_ROUTES: true, CACHE_KEY_PREFIX: 'auto' });
    second = await ctx.startApp({ DEMO_ROUTES: true, CACHE_KEY_PREFIX: 'auto', MONGODB_DB: secondDb });
    await seedDemo(first.http, 3);
    await seedDemo(second.http, 4);
  });
  afterAll(async () => {
    await ctx.mongo
      .db(secondDb)
      .dropDatabase()
      .catch(() => undefined);
    await ctx.close();
  });

  it('never serves the other database’s entries, and keeps each under its own prefix', async () => {
    const firstList = await first.http.get('/demo/items').query({ limit: 50 }).expect(200);
    expect((await first.http.get('/demo/items').query({ limit: 50 }).expect(200)).headers['x-cache']).toBe('HIT');
    const secondList = await second.http.get('/demo/items').query({ limit: 50 }).expect(200);
    expect(secondList.headers['x-cache']).toBe('MISS');
    expect(firstList.body.total).toBe(3);
    expect(secondList.body.total).toBe(4);

    const id = firstList.body.items[0]._id;
    await first.http.get(`/demo/items/${id}`).expect(200);
    expect(await ctx.redis.exists(`${ctx.dbName}:demo:id:${id}`)).toBe(1);
    expect(await ctx.redis.exists(`demo:id:${id}`)).toBe(0);
    // The second deployment has no such document: its own answer, not the first one's cached bytes.
    await second.http.get(`/demo/items/${id}`).expect(404);
  });

  it("a write in one deployment leaves the other's entries in place", async () => {
    const firstList = await first.http.get('/demo/items').query({ limit: 50 }).expect(200);
    const secondItems = (await second.http.get('/demo/items').query({ limit: 50 }).expect(200)).body.items;
    await second.http.patch(`/demo/items/${secondItems[0]._id}`).set(adminAuth).send({ name: 'only in the second' }).expect(200);
    const again = await first.http.get('/demo/items').query({ limit: 50 }).expect(200);
    expect(again.headers['x-cache']).toBe('HIT');
    expect(again.body).toEqual(firstList.body);
    expect((await second.http.get('/demo/items').query({ limit: 50 }).expect(200)).body.items[0].name).toBe('only in the second');
  });

  it('the admin API sees and deletes only its own keys, named without the prefix', async () => {
    const { body } = await first.http.get('/cache/keys').query({ prefix: 'demo:' }).set(adminAuth).expect(200);
    expect(body.keys.length).toBeGreaterThan(0);
    expect(body.keys.every((k: string) => k.startsWith('demo:'))).toBe(true);
    await first.http.delete('/cache').query({ prefix: 'demo:' }).set(adminAuth).expect(200);
    expect(await ctx.redis.keys(`${ctx.dbName}:demo:list*`)).toEqual([]);
    expect((await ctx.redis.keys(`${secondDb}:demo:list*`)).length).toBeGreaterThan(0);
  });

  it('each deployment leads its own change feed and keeps its own resume tokens', async () => {
    const feeds: TestApp[] = [];
    try {
      for (const MONGODB_DB of [ctx.dbName, secondDb]) {
        feeds.push(await ctx.startApp({ DEMO_ROUTES: true, CACHE_KEY_PREFIX: 'auto', MONGODB_DB, CACHE_FEED_ENABLED: true }));
      }
      const leading = () => feeds.map(({ app }) => app.get(ChangeFeed).snapshot()).map((s) => [s.state, s.leader]);
      // One shared lease would leave one of them standing by, and the other database's writes unfollowed.
      await eventually(() => leading().every(([state, leader]) => state === 'following' && leader), 5000);
      expect(leading()).toEqual([
        ['following', true],
        ['following', true],
      ]);
      expect(await ctx.redis.exists(`${ctx.dbName}:cache-feed:leader`, `${secondDb}:cache-feed:leader`)).toBe(2);
    } finally {
      await Promise.all(feeds.map((f) => f.close()));
    }
  });

  it('clearing everything in the unprefixed deployment leaves rate-limit counters, the feed and the other deployment alone', async () => {
    const plain = await ctx.startApp({ DEMO_ROUTES: true, CACHE_KEY_PREFIX: 'none' });
    try {
      await seedDemo(plain.http, 2);
      await plain.http.get('/demo/items').expect(200);
      await ctx.redis.set('ratelimit:global:203.0.113.9', '7', 'PX', 60_000);
      await ctx.redis.set('cache-feed:leader', 'another-instance', 'PX', 60_000);
      const others = await ctx.redis.keys(`${secondDb}:*`);
      expect(others.length).toBeGreaterThan(0);

      await plain.http.delete('/cache').set(adminAuth).expect(200);
      expect(await ctx.redis.keys('demo:list*')).toEqual([]);
      expect(await ctx.redis.get('ratelimit:global:203.0.113.9')).toBe('7');
      expect(await ctx.redis.get('cache-feed:leader')).toBe('another-instance');
      expect((await ctx.redis.keys(`${secondDb}:*`)).sort()).toEqual(others.sort());
      // Nor are they cache entries to list, read or delete one by one.
      const { body } = await plain.http.get('/cache/keys').query({ count: 1000 }).set(adminAuth).expect(200);
      expect(body.keys.filter((k: string) => /^(ratelimit|cache-feed|[^:]+_b):/.test(k))).toEqual([]);
      await plain.http.get('/cache/entries/ratelimit:global:203.0.113.9').set(adminAuth).expect(404);
      await plain.http.delete('/cache/entries/ratelimit:global:203.0.113.9').set(adminAuth).expect(404);
      expect(await ctx.redis.get('ratelimit:global:203.0.113.9')).toBe('7');
    } finally {
      await plain.close();
    }
  });
});
