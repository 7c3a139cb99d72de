/**
 * Only our own values are served: another app on the same Redis and key names (seed 002's Flask
 * API writes `games:list` and `games:id:<id>` as bare JSON), another deployment of ours on other
 * data, or an older value format, is a miss (counted), never a HIT.
 */
import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';

describe('shared cache: only values this deployment wrote are served', () => {
  let ctx: TestContext;
  let api: TestApp;
  let gameId: string;

  const foreignCount = async () => (await api.http.get('/cache/stats').set(adminAuth).expect(200)).body.namespaces.games?.foreign ?? 0;

  beforeAll(async () => {
    ctx = await createTestContext('foreign-values');
    api = await ctx.startApp({ CACHE_TTL_SECONDS: 60 });
    const created = await api.http
      .post('/games')
      .set(adminAuth)
      .send({ item: 'Portal', publisher: 'Valve', year: 2007, genre: ['Puzzle'], platforms: ['PC'], price: 9.99, available: 3 })
      .expect(201);
    gameId = created.body._id;
  });
  afterAll(() => ctx.close());

  beforeEach(() => api.http.delete('/cache').set(adminAuth).expect(200));

  it.each([
    ['another app on the same key names (bare JSON)', (body: string) => body],
    ['a value with JSON whitespace in front that is not our mark', (body: string) => `\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n${body}`],
  ])('%s is a miss, replaced by ours', async (_, shape) => {
    const fake = shape(JSON.stringify({ _id: gameId, item: 'Not ours', price: 0 }));
    await ctx.redis.set(`games:id:${gameId}`, fake, 'PX', 60_000);
    await ctx.redis.set('games:list', shape('[{"item":"Not ours"}]'), 'PX', 60_000);
    const before = await foreignCount();

    const one = await api.http.get(`/games/${gameId}`).expect(200);
    expect(one.headers['x-cache']).toBe('MISS');
    expect(one.body.item).toBe('Portal');
    const list = await api.http.get('/games').expect(200);
    expect(list.headers['x-cache']).toBe('MISS');
    expect(list.body.items.map((g: { item: string }) => g.item)).toEqual(['Portal']);
    expect(await foreignCount()).toBe(before + 2);

    // Ours now, behind the mark: served as hits from then on.
    expect(JSON.parse((await ctx.redis.get(`games:id:${gameId}`))!).item).toBe('Portal');
    expect((await api.http.get('/games').expect(200)).headers['x-cache']).toBe('HIT');
  });

  it('another deployment (other database) on the same Redis db and plain key names: neither serves the other', async () => {
    const other = await ctx.startApp({ MONGODB_DB: `${ctx.dbName}_other`, CACHE_TTL_SECONDS: 60 });
    try {
      await other.http.get('/games').expect(200); // stores the other deployment's (empty) list under games:list
      const ours = await api.http.get('/games').expect(200);
      expect(ours.headers['x-cache']).toBe('MISS');
      expect(ours.body.items.map((g: { item: string }) => g.item)).toEqual(['Portal']);
    } finally {
      await other.close();
    }
  });

  it('with L1 off, the L2 fast path refuses a foreign value too', async () => {
    const l2Only = await ctx.startApp({ CACHE_TTL_SECONDS: 60, CACHE_L1_ENABLED: false });
    try {
      await l2Only.http.get('/games').expect(200); // learns the route
      await ctx.redis.set('games:list', '[{"item":"Not ours"}]', 'PX', 60_000);
      const res = await l2Only.http.get('/games').expect(200);
      expect(res.headers['x-cache']).toBe('MISS');
      expect(res.body.items.map((g: { item: string }) => g.item)).toEqual(['Portal']);
    } finally {
      await l2Only.close();
    }
  });
});
