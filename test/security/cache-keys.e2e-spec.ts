import { createTestContext, TestApp, TestContext } from '../harness/test-app';

/** Cached entries of a namespace in Redis (its bookkeeping under <ns>:meta:* left out). */
async function entries(ctx: TestContext, namespace: string): Promise<string[]> {
  const keys = await ctx.redis.keys(`${namespace}:*`);
  return keys.filter((k) => !k.startsWith(`${namespace}:meta:`)).sort();
}

describe('security: one cache entry per query, however it is spelled', () => {
  let ctx: TestContext;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('sec-cache-keys');
    api = await ctx.startApp();
  });
  afterAll(() => ctx.close());

  it('maps the spellings of a page number, and the defaults, to one key', async () => {
    for (const query of ['', '?page=1', '?page=01', '?page=001', '?page=1.0', '?limit=20', '?page=1&limit=020']) {
      await api.http.get(`/games${query}`).expect(200);
    }
    expect(await entries(ctx, 'games')).toEqual(['games:list']);
    for (const query of ['?page=2', '?page=02', '?limit=20&page=2.00']) await api.http.get(`/games${query}`).expect(200);
    expect(await entries(ctx, 'games')).toHaveLength(2);
  });

  it('refuses numbers that are not decimal, with 400 and no entry', async () => {
    const before = await entries(ctx, 'games');
    for (const query of ['page=0x10', 'page=0b1', 'page=1e1', 'page=Infinity', 'limit=0o7', 'page=']) {
      const res = await api.http.get(`/games?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
    }
    expect(await entries(ctx, 'games')).toEqual(before);
  });

  it("refuses undeclared query names, Object.prototype's included, with 400 and no entry", async () => {
    const before = await entries(ctx, 'games');
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'nope']) {
      const res = await api.http.get(`/games?${name}=1`);
      expect([name, res.status]).toEqual([name, 400]);
    }
    expect(await entries(ctx, 'games')).toEqual(before);
  });
});
