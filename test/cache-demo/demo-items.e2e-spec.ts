/**
 * The worked example of the guide (docs/guides/adding-a-cached-resource.md): what a new cached resource's suite
 * proves. Real MongoDB wire protocol and real Redis, started by the harness; no mocks.
 */
import { ChangeFeed } from '../../src/infra/cache';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';

describe('demo items: a cached resource built on the kit', () => {
  let ctx: TestContext;
  let api: TestApp;
  let id: string;

  beforeAll(async () => {
    ctx = await createTestContext('demo-items');
    // The harness keeps the change feed off (it would invalidate on its own schedule, racing exact
    // HIT/MISS checks); the last test starts a second instance with it on.
    api = await ctx.startApp({ DEMO_ROUTES: true });
  });
  afterAll(() => ctx.close());

  it('writes need the admin token (401 without, nothing stored)', async () => {
    await api.http.post('/demo/items').send({ name: 'lamp', price: 12.5 }).expect(401);
    expect(await ctx.mongo.db(ctx.dbName).collection('demo_items').countDocuments()).toBe(0);
    const created = await api.http.post('/demo/items').set(adminAuth).send({ name: 'lamp', price: 12.5 }).expect(201);
    expect(created.body).toEqual({ _id: expect.any(String), name: 'lamp', price: 12.5, tags: [], description: '' });
    id = created.body._id;
  });

  it('reads are cached: MISS, then HIT, under demo:id:<id> and demo:list', async () => {
    expect((await api.http.get(`/demo/items/${id}`).expect(200)).headers['x-cache']).toBe('MISS');
    expect((await api.http.get(`/demo/items/${id}`).expect(200)).headers['x-cache']).toBe('HIT');
    expect((await api.http.get('/demo/items').expect(200)).headers['x-cache']).toBe('MISS');
    expect(await ctx.redis.exists(`demo:id:${id}`, 'demo:list')).toBe(2);
  });

  it('every write drops the item and every list (the kit invalidates; nothing to remember)', async () => {
    await api.http.patch(`/demo/items/${id}`).set(adminAuth).send({ price: 15 }).expect(200);
    const item = await api.http.get(`/demo/items/${id}`).expect(200);
    expect(item.headers['x-cache']).toBe('MISS');
    expect(item.body.price).toBe(15);
    const list = await api.http.get('/demo/items').expect(200);
    expect(list.headers['x-cache']).toBe('MISS');
    expect(list.body.items[0].price).toBe(15);

    // A write of the resource's own (POST /:id/tags) goes through write() too.
    expect((await api.http.get(`/demo/items/${id}`).expect(200)).headers['x-cache']).toBe('HIT');
    expect((await api.http.get('/demo/items').expect(200)).headers['x-cache']).toBe('HIT');
    await api.http.post(`/demo/items/${id}/tags`).send({ tag: 'sale' }).expect(401);
    await api.http.post(`/demo/items/${id}/tags`).set(adminAuth).send({ tag: 'sale' }).expect(200);
    const tagged = await api.http.get(`/demo/items/${id}`).expect(200);
    expect(tagged.headers['x-cache']).toBe('MISS');
    expect(tagged.body.tags).toEqual(['sale']);
    expect((await api.http.get('/demo/items').expect(200)).body.items[0].tags).toEqual(['sale']);

    await api.http.delete(`/demo/items/${id}`).set(adminAuth).expect(200);
    await api.http.get(`/demo/items/${id}`).expect(404);
    expect((await api.http.get('/demo/items').expect(200)).body.total).toBe(0);
  });

  it('a write made outside the API reaches every instance through the change feed', async () => {
    const follower = await ctx.startApp({ DEMO_ROUTES: true, CACHE_FEED_ENABLED: true });
    await follower.app.get(ChangeFeed).ready();
    const created = await api.http.post('/demo/items').set(adminAuth).send({ name: 'desk', price: 80 }).expect(201);
    const path = `/demo/items/${created.body._id}`;
    expect(await eventually(async () => (await api.http.get(path)).headers['x-cache'] === 'HIT')).toBe(true);

    await ctx.mongo
      .db(ctx.dbName)
      .collection('demo_items')
      .updateOne({ name: 'desk' }, { $set: { price: 95 } });
    expect(await eventually(async () => (await api.http.get(path)).body.price === 95)).toBe(true);
  });
});
