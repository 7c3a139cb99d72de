/**
 * TwoTierCache.aside: the programmatic cache-aside that POST searches and document operations
 * use. Same tiers, race guard and single-flight as @Cached, against a real Redis.
 */
import { CacheInvalidator, TwoTierCache } from '../../src/infra/cache';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';

describe('shared cache: programmatic cache-aside', () => {
  let ctx: TestContext;
  let api: TestApp;
  let cache: TwoTierCache;

  beforeAll(async () => {
    ctx = await createTestContext('aside');
    api = await ctx.startApp();
    cache = api.app.get(TwoTierCache);
  });
  afterAll(() => ctx.close());

  it('answers MISS then HIT under a readable list-variant key, without loading twice', async () => {
    let loads = 0;
    const request = { namespace: 'aside1', label: 'search', parts: { q: 'x', page: 2 }, load: async () => ({ n: ++loads }) };

    const first = await cache.aside(request);
    const second = await cache.aside(request);

    expect([first.status, second.status]).toEqual(['MISS', 'HIT']);
    expect(['l1', 'l2']).toContain(second.tier);
    expect(JSON.parse(second.body.toString())).toEqual({ n: 1 });
    expect(loads).toBe(1);
    const keys = await ctx.redis.keys('aside1:list:search:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^aside1:list:search:[0-9a-f]{40}$/);
    // Parts are canonical: their order does not make another key.
    expect((await cache.aside({ ...request, parts: { page: 2, q: 'x' } })).status).toBe('HIT');
  });

  it('runs one load for 20 concurrent misses of one key', async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const request = {
      namespace: 'aside2',
      parts: { q: 'same' },
      load: async () => {
        loads++;
        await gate;
        return { ok: true };
      },
    };
    const pending = Array.from({ length: 20 }, () => cache.aside(request));
    release();
    const outcomes = await Promise.all(pending);

    expect(loads).toBe(1);
    expect(outcomes.every((o) => o.body.toString() === '{"ok":true}')).toBe(true);
  });

  it('never stores what a load read before an invalidation of its namespace', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const fetched = new Promise<void>((resolve) => (reached = resolve));
    const stale = cache.aside({
      namespace: 'aside3',
      parts: { q: 'r' },
      load: async () => {
        reached();
        await gate; // the source was read; a write happens now
        return { value: 'old' };
      },
    });
    await fetched;
    await api.app.get(CacheInvalidator).invalidate('aside3');
    release();
    expect((await stale).status).toBe('MISS');

    expect(await ctx.redis.keys('aside3:list*')).toEqual([]);
    const next = await cache.aside({ namespace: 'aside3', parts: { q: 'r' }, load: async () => ({ value: 'new' }) });
    expect([next.status, next.body.toString()]).toEqual(['MISS', '{"value":"new"}']);
  });
});
