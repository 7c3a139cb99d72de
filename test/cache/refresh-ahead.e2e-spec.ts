import mongoose from 'mongoose';
import { CacheInvalidator, cacheKeys, TwoTierCache } from '../../src/infra/cache';
import { LocalTier } from '../../src/infra/cache/local-tier';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

const TTL_SECONDS = 2;
const FRACTION = 0.4;

describe('HTTP edge: refresh-ahead', () => {
  let ctx: TestContext;
  let a: TestApp;
  let b: TestApp;
  const finds: number[] = [];

  beforeAll(async () => {
    ctx = await createTestContext('refresh-ahead');
    const settings = { DEMO_ROUTES: true, CACHE_TTL_SECONDS: TTL_SECONDS, CACHE_REFRESH_AHEAD_FRACTION: FRACTION };
    a = await ctx.startApp(settings);
    b = await ctx.startApp(settings);
    await seedDemo(a.http, 5);
    await a.http.delete('/cache').set(adminAuth).expect(200);
    // Mongoose debug sees every query of both instances (they share this process).
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === 'demo_items' && method === 'find') finds.push(Date.now());
    });
  });
  afterAll(async () => {
    mongoose.set('debug', false);
    await ctx.close();
  });

  it('a hot key read continuously on two instances across 3+ TTLs misses once (the first read), and MongoDB sees one reload per TTL, not one per instance', async () => {
    const started = Date.now();
    const seen: Record<string, number> = {};
    for (let i = 0; Date.now() - started < TTL_SECONDS * 3500; i++) {
      const res = await (i % 2 ? b : a).http.get('/demo/items').expect(200);
      seen[res.headers['x-cache']] = (seen[res.headers['x-cache']] ?? 0) + 1;
    }
    expect(seen.MISS).toBe(1);
    expect(seen.HIT).toBeGreaterThan(20);
    // The first load, then one refresh each time the entry reached the last 40 % of its TTL.
    expect(finds.length).toBeGreaterThanOrEqual(3);
    const gaps = finds.slice(1).map((t, i) => t - finds[i]);
    // Two instances reloading the same expiry would be milliseconds apart.
    expect(Math.min(...gaps)).toBeGreaterThan(TTL_SECONDS * 1000 * 0.3);
  });

  it('the race guard applies to a refreshed value: a write while the reload ran discards it in both tiers', async () => {
    const cache = a.app.get(TwoTierCache);
    const namespace = 'refreshrace';
    const key = cacheKeys.id(namespace, '1');
    const options = { isList: false, ttlSeconds: TTL_SECONDS };
    await cache.getOrLoad(namespace, key, () => Promise.resolve(Buffer.from('"v1"')), options);

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reloadStarted = false;
    const slowReload = async () => {
      reloadStarted = true; // read the old document...
      await gate; // ...and hold it while a write happens
      return Buffer.from('"old"');
    };
    const served = await eventually(
      async () => {
        const { body } = await cache.getOrLoad(namespace, key, slowReload, options);
        return reloadStarted && body.toString() === '"v1"';
      },
      TTL_SECONDS * 1000,
      20,
    );
    expect(served).toBe(true); // reads in the window still answer at once, from the cache
    const refresh = cache.refreshAhead.inFlight(key);
    expect(refresh).toBeDefined();

    await a.app.get(CacheInvalidator).invalidate(namespace, ['1']); // the write
    release();
    await refresh;

    expect(await ctx.redis.get(key)).toBeNull();
    expect(a.app.get(LocalTier).entries.get(key)).toBeUndefined();
    const next = await cache.getOrLoad(namespace, key, () => Promise.resolve(Buffer.from('"v2"')), options);
    expect(next.tier).toBeUndefined();
    expect(next.body.toString()).toBe('"v2"');
  });

  it('CACHE_REFRESH_AHEAD_FRACTION=0 turns it off: the key misses again at expiry', async () => {
    const c = await ctx.startApp({ DEMO_ROUTES: true, CACHE_TTL_SECONDS: 1, CACHE_REFRESH_AHEAD_FRACTION: 0 });
    try {
      await c.http.delete('/cache').set(adminAuth).expect(200);
      expect((await c.http.get('/demo/items?limit=3').expect(200)).headers['x-cache']).toBe('MISS');
      // Timed from the first answer (stored then): a slow first miss on a busy machine must not eat the window.
      const stored = Date.now();
      let misses = 0;
      const seen: string[] = [];
      // Up to 10 s: with refresh-ahead on, a key read this often never misses (the first test), so a
      // generous window still tells the two apart, and a stalled machine cannot fail it.
      while (misses === 0 && Date.now() - stored < 10_000) {
        const answer = (await c.http.get('/demo/items?limit=3').expect(200)).headers;
        seen.push(`${answer['x-cache']}/${answer['x-cache-tier'] ?? '-'}`);
        if (answer['x-cache'] === 'MISS') misses++;
      }
      expect({ misses, seen: [...new Set(seen)] }).toEqual({ misses: 1, seen: expect.anything() });
    } finally {
      await c.close();
    }
  });
});
