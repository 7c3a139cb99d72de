/**
 * Two deployments on different databases share one Redis (one db index): neither may ever be
 * served the other's entries, and a write in one leaves the other's cache alone.
 */
import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
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
});
