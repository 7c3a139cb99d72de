import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
import { Caller, createCollection, signUp, startImagedoc } from './imagedoc-helpers';

// argon2 hashing on a shared CPU makes set-up take seconds (the config's testTimeout does not reach projects).
jest.setTimeout(60_000);

describe('imagedoc: collections (owner-scoped, cached per user)', () => {
  let ctx: TestContext;
  let api: TestApp;
  let ana: Caller;
  let bruno: Caller;
  let manager: Caller;

  beforeAll(async () => {
    ctx = await createTestContext('imagedoc_collections');
    // The API's own synchronous invalidation is what this suite proves (exact HIT/MISS sequences after
    // each write): without the change feed, whose second invalidation of the same write would race
    // them (test/cache/change-feed.e2e-spec.ts covers the feed for collections).
    ({ api } = await startImagedoc(ctx, { CACHE_FEED_ENABLED: 'false' }));
    [ana, bruno, manager] = await Promise.all([signUp(api, 'ana'), signUp(api, 'bruno'), signUp(api, 'gestora', 'manager')]);
  });
  afterAll(() => ctx.close());

  it('needs a user token: none, malformed or the admin token (not a user) → 401', async () => {
    expect((await api.http.get('/collections')).status).toBe(401);
    expect((await api.http.get('/collections').set({ Authorization: 'Bearer abc.def.ghi' })).status).toBe(401);
    expect((await api.http.post('/collections').send({ title: 'x' })).status).toBe(401);
    expect((await api.http.get('/collections').set(adminAuth)).status).toBe(401);
  });

  it('creates, reads, updates and deletes the caller’s own collection', async () => {
    const created = await createCollection(api, ana, 'Cartas 1920');
    expect(created).toMatchObject({ title: 'Cartas 1920', user_id: ana.id, documents: [], description: '' });
    const got = await api.http.get(`/collections/${created._id}`).set(ana.auth);
    expect(got.status).toBe(200);
    const patched = await api.http.patch(`/collections/${created._id}`).set(ana.auth).send({ description: 'acervo' });
    expect(patched.body).toMatchObject({ title: 'Cartas 1920', description: 'acervo' });
    expect((await api.http.delete(`/collections/${created._id}`).set(ana.auth)).status).toBe(204);
    expect((await api.http.get(`/collections/${created._id}`).set(ana.auth)).status).toBe(404);
  });

  it("another user's collection is 404 for read, update and delete, and stays unchanged", async () => {
    const mine = await createCollection(api, ana, 'Privada');
    expect((await api.http.get(`/collections/${mine._id}`).set(bruno.auth)).status).toBe(404);
    expect((await api.http.patch(`/collections/${mine._id}`).set(bruno.auth).send({ title: 'roubada' })).status).toBe(404);
    expect((await api.http.delete(`/collections/${mine._id}`).set(bruno.auth)).status).toBe(404);
    const stored = await ctx.mongo.db(ctx.dbName).collection('collections').findOne({ title: 'Privada' });
    expect(stored?.title).toBe('Privada');
  });

  it('a manager sees and changes everyone’s collections', async () => {
    const brunos = await createCollection(api, bruno, 'Do Bruno');
    expect((await api.http.get(`/collections/${brunos._id}`).set(manager.auth)).status).toBe(200);
    const list = await api.http.get('/collections?limit=100').set(manager.auth);
    expect(list.body.items.map((c: { title: string }) => c.title)).toEqual(expect.arrayContaining(['Do Bruno', 'Privada']));
    const renamed = await api.http.patch(`/collections/${brunos._id}`).set(manager.auth).send({ title: 'Renomeada' });
    expect(renamed.status).toBe(200);
  });

  it('rejects bad input with 400 and changes nothing', async () => {
    const before = await ctx.mongo.db(ctx.dbName).collection('collections').countDocuments();
    const cases = [
      api.http.post('/collections').set(ana.auth).send({}),
      api.http.post('/collections').set(ana.auth).send({ title: '' }),
      api.http
        .post('/collections')
        .set(ana.auth)
        .send({ title: { $gt: '' } }),
      api.http.post('/collections').set(ana.auth).send({ title: 'ok', user_id: bruno.id }),
      api.http
        .post('/collections')
        .set(ana.auth)
        .send({ title: 'x'.repeat(201) }),
      api.http.get('/collections/not-an-id').set(ana.auth),
      api.http.get('/collections?limit=1000').set(ana.auth),
      api.http.get('/collections?page[$gt]=1').set(ana.auth),
    ];
    for (const res of await Promise.all(cases)) expect(res.status).toBe(400);
    expect(await ctx.mongo.db(ctx.dbName).collection('collections').countDocuments()).toBe(before);
  });

  it('a null field is a 400, on create and on update, and nothing is stored', async () => {
    const before = await ctx.mongo.db(ctx.dbName).collection('collections').countDocuments();
    const created = await createCollection(api, ana, 'Sem nulos');
    await api.http.post('/collections').set(ana.auth).send({ title: 'ok', description: null }).expect(400);
    for (const body of [{ description: null }, { title: null }]) {
      await api.http.patch(`/collections/${created._id}`).set(ana.auth).send(body).expect(400);
    }
    const stored = await api.http.get(`/collections/${created._id}`).set(ana.auth).expect(200);
    expect(stored.body).toMatchObject({ title: 'Sem nulos', description: '' });
    expect(await ctx.mongo.db(ctx.dbName).collection('collections').countDocuments()).toBe(before + 1);
  });

  it('GET /collections is cached per user and invalidated by any change to that user’s collections', async () => {
    const carla = await signUp(api, 'carla');
    const first = await api.http.get('/collections').set(carla.auth);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.body.total).toBe(0);
    const second = await api.http.get('/collections').set(carla.auth);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(first.body);
    // Another user's list is another entry: never carla's.
    const other = await api.http.get('/collections').set(bruno.auth);
    expect(other.body.items.every((c: { user_id: string }) => c.user_id === bruno.id)).toBe(true);
    expect(await ctx.redis.exists(`collections.${carla.id}:list`)).toBe(1);

    const created = await createCollection(api, carla, 'Nova');
    const afterCreate = await api.http.get('/collections').set(carla.auth);
    expect(afterCreate.headers['x-cache']).toBe('MISS');
    expect(afterCreate.body.items.map((c: { title: string }) => c.title)).toEqual(['Nova']);

    await api.http.patch(`/collections/${created._id}`).set(carla.auth).send({ title: 'Editada' }).expect(200);
    expect((await api.http.get('/collections').set(carla.auth)).body.items[0].title).toBe('Editada');

    // A manager's change to carla's collection invalidates carla's list too.
    await api.http.patch(`/collections/${created._id}`).set(manager.auth).send({ title: 'Pelo gestor' }).expect(200);
    expect((await api.http.get('/collections').set(carla.auth)).body.items[0].title).toBe('Pelo gestor');

    await api.http.delete(`/collections/${created._id}`).set(carla.auth).expect(204);
    expect((await api.http.get('/collections').set(carla.auth)).body.total).toBe(0);
  });

  it('the managers’ all-users list is invalidated by any user’s change', async () => {
    await api.http.get('/collections?limit=100').set(manager.auth);
    expect((await api.http.get('/collections?limit=100').set(manager.auth)).headers['x-cache']).toBe('HIT');
    await createCollection(api, bruno, 'Vista pelo gestor');
    const after = await api.http.get('/collections?limit=100').set(manager.auth);
    expect(after.headers['x-cache']).toBe('MISS');
    expect(after.body.items.map((c: { title: string }) => c.title)).toContain('Vista pelo gestor');
  });
});
