/**
 * A store API with MongoDB and a Redis cache, against real servers: the sample
 * data, cold MISS then hot HIT, TTL expiry and repopulation, invalidation by every write,
 * concurrent purchases of scarce stock, and bad input that changes nothing.
 */
import { createHash } from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import type { Model, Query } from 'mongoose';
import { getModelToken } from '@nestjs/mongoose';
import { Client } from '../../src/games/schemas/client.schema';
import { GamesSeeder } from '../../src/games/games.seeder';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';

const TTL_SECONDS = 6;

describe('games store', () => {
  let ctx: TestContext;
  let api: TestApp;
  let games: Collection<Document>;
  let clients: Collection<Document>;

  const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
  const exists = async (key: string) => (await ctx.redis.exists(key)) === 1;
  const newGame = (over: Record<string, unknown> = {}) => ({
    item: 'Hollow Knight',
    publisher: 'Team Cherry',
    year: 2017,
    genre: ['Platform'],
    platforms: ['PC', 'Nintendo Switch'],
    price: 14.99,
    available: 10,
    ...over,
  });
  const createGame = async (over: Record<string, unknown> = {}) =>
    (await api.http.post('/games').set(adminAuth).send(newGame(over)).expect(201)).body as {
      _id: string;
      price: number;
      available: number;
    };
  const createClient = async (email: string) =>
    (await api.http.post('/clients').set(adminAuth).send({ name: 'Buyer', email, membership: 'basic' }).expect(201)).body as {
      _id: string;
    };

  beforeAll(async () => {
    ctx = await createTestContext('games');
    // The store API's contract is its own synchronous invalidation (read-your-writes): proven here
    // without the change feed, whose second invalidation of the same write would turn exact HIT/MISS
    // sequences into races (test/cache/change-feed.e2e-spec.ts covers the feed).
    api = await ctx.startApp({ CACHE_TTL_SECONDS: TTL_SECONDS, CACHE_FEED_ENABLED: false });
    const summary = await api.app.get(GamesSeeder).seed({ seed: 7, reset: true });
    expect(summary.inserted).toEqual({ games: 8, clients: 8 });
    games = ctx.mongo.db(ctx.dbName).collection('games');
    clients = ctx.mongo.db(ctx.dbName).collection('clients');
  });
  afterAll(() => ctx.close());

  describe('sample data', () => {
    it('imports the seed games with decimal prices stored as integer cents', async () => {
      const res = await api.http.get('/games').expect(200);
      expect(res.body).toMatchObject({ total: 8, page: 1, limit: 20 });
      const blackOps = res.body.items.find((g: { item: string }) => g.item === 'Black Ops 2');
      expect(blackOps).toEqual({
        _id: expect.stringMatching(/^[0-9a-f]{24}$/),
        item: 'Black Ops 2',
        publisher: 'Treyarch',
        year: 2002,
        genre: ['FPS'],
        platforms: ['PS3', 'PC', 'Xbox', 'WII'],
        price: 29.99,
        available: 35,
      });
      const stored = await games.findOne({ item: 'Black Ops 2' });
      expect(stored?.price_cents).toBe(2999);
      expect(stored).not.toHaveProperty('price');
    });

    it('imports the seed clients with their membership, date and total spent', async () => {
      const res = await api.http.get('/clients?sort=name&limit=100').expect(200);
      expect(res.body.total).toBe(8);
      expect(res.body.items[0]).toMatchObject({ name: 'Amanda Thompson', membership: 'basic', total_spent: 119.98 });
      const john = res.body.items.find((c: { email: string }) => c.email === 'johndoe@hotmail.com');
      expect(john).toMatchObject({
        joined_date: '2024-01-15',
        membership: 'gold',
        total_spent: 119.98,
        bought: ['Black Ops 2', 'God Of War'],
      });
    });

    it('does not import twice without --reset', async () => {
      const again = await api.app.get(GamesSeeder).seed({ seed: 7 });
      expect(again.inserted).toEqual({});
      expect(await games.countDocuments()).toBe(8);
    });
  });

  describe('filters, sort and pagination', () => {
    it('filters by genre, platform, publisher, price and year ranges and title text', async () => {
      const titles = async (query: string) =>
        ((await api.http.get(`/games?${query}&sort=item`).expect(200)).body.items as { item: string }[]).map((g) => g.item);
      expect(await titles('genre=FPS')).toEqual(['Black Ops 2', 'Counter-Strike 2']);
      expect(await titles('platform=Nintendo%20Switch')).toEqual(['Minecraft', 'Super Mario Odyssey', 'The Legend of Zelda']);
      expect(await titles('publisher=Nintendo')).toEqual(['Super Mario Odyssey', 'The Legend of Zelda']);
      expect(await titles('minPrice=29.99&maxPrice=59.99')).toEqual([
        'Black Ops 2',
        'Elden Ring',
        'Grand Theft Auto V',
        'Super Mario Odyssey',
        'The Legend of Zelda',
      ]);
      expect(await titles('maxPrice=0')).toEqual(['Counter-Strike 2']);
      expect(await titles('minYear=2017&maxYear=2022')).toEqual(['Elden Ring', 'Super Mario Odyssey', 'The Legend of Zelda']);
      expect(await titles('q=ZELDA')).toEqual(['The Legend of Zelda']);
      expect(await titles('q=o&genre=Adventure&minYear=2010')).toEqual([
        'Grand Theft Auto V',
        'Super Mario Odyssey',
        'The Legend of Zelda',
      ]);
    });

    it('sorts by whitelisted fields and paginates with the total count', async () => {
      const byPrice = (await api.http.get('/games?sort=-price&limit=3').expect(200)).body;
      expect(byPrice).toMatchObject({ total: 8, page: 1, limit: 3 });
      expect(byPrice.items.map((g: { price: number }) => g.price)).toEqual([89.99, 59.99, 59.99]);
      const page3 = (await api.http.get('/games?sort=-price&limit=3&page=3').expect(200)).body;
      expect(page3.items.map((g: { item: string }) => g.item)).toEqual(['Minecraft', 'Counter-Strike 2']);
      const byYear = (await api.http.get('/games?sort=year&limit=1').expect(200)).body;
      expect(byYear.items[0].year).toBe(2002);
      const gold = (await api.http.get('/clients?membership=gold&sort=-total_spent').expect(200)).body;
      expect(gold.items.map((c: { total_spent: number }) => c.total_spent)).toEqual([149.97, 119.98, 86.94]);
    });
  });

  describe('cache-aside (the seed contract)', () => {
    it('answers a cold request MISS and stores games:list with a TTL no longer than configured; the hot one is a HIT', async () => {
      await ctx.redis.flushdb();
      await api.http.delete('/cache').set(adminAuth).expect(200);
      const cold = await api.http.get('/games').expect(200);
      expect(cold.headers['x-cache']).toBe('MISS');
      expect(await exists('games:list')).toBe(true);
      const ttl = await ctx.redis.ttl('games:list');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(TTL_SECONDS);
      const hot = await api.http.get('/games').expect(200);
      expect(hot.headers['x-cache']).toBe('HIT');
      expect(hot.body).toEqual(cold.body);
      expect(JSON.parse((await ctx.redis.get('games:list'))!)).toEqual(cold.body);
    });

    it('caches one game under games:id:<id> and a filtered list under games:list:<sha1 of the sorted params>', async () => {
      const id = String((await games.findOne({ item: 'Elden Ring' }))!._id);
      expect((await api.http.get(`/games/${id}`).expect(200)).headers['x-cache']).toBe('MISS');
      const hot = await api.http.get(`/games/${id}`).expect(200);
      expect(hot.headers['x-cache']).toBe('HIT');
      expect(hot.body).toMatchObject({ item: 'Elden Ring', price: 59.99 });
      expect(await exists(`games:id:${id}`)).toBe(true);

      await api.http.get('/games?sort=year&genre=FPS').expect(200);
      expect((await api.http.get('/games?genre=FPS&sort=year').expect(200)).headers['x-cache']).toBe('HIT');
      expect(await exists(`games:list:${sha1('[["genre","FPS"],["sort","year"]]')}`)).toBe(true);

      const client = String((await clients.findOne({ email: 'mike.chen@outlook.com' }))!._id);
      await api.http.get(`/clients/${client}`).expect(200);
      expect((await api.http.get(`/clients/${client}`).expect(200)).headers['x-cache']).toBe('HIT');
      expect(await exists(`clients:id:${client}`)).toBe(true);
      await api.http.get('/clients').expect(200);
      expect(await exists('clients:list')).toBe(true);
    });

    it('lets a key expire after a short TTL; the next request misses and repopulates it', async () => {
      const shortLived = await ctx.startApp({ CACHE_TTL_SECONDS: 2, CACHE_FEED_ENABLED: false });
      const key = `games:list:${sha1('[["sort","-year"]]')}`;
      expect((await shortLived.http.get('/games?sort=-year').expect(200)).headers['x-cache']).toBe('MISS');
      expect(await exists(key)).toBe(true);
      expect(await ctx.redis.ttl(key)).toBeLessThanOrEqual(2);
      expect((await shortLived.http.get('/games?sort=-year').expect(200)).headers['x-cache']).toBe('HIT');

      expect(await eventually(async () => !(await exists(key)), 5000, 100)).toBe(true);
      const again = await shortLived.http.get('/games?sort=-year').expect(200);
      expect(again.headers['x-cache']).toBe('MISS');
      expect(again.body.total).toBe(8);
      expect(await exists(key)).toBe(true);
    });

    it('POST removes every list key and the new game is visible in the list', async () => {
      await api.http.get('/games').expect(200);
      await api.http.get('/games?genre=Platform').expect(200);
      const filteredKey = `games:list:${sha1('[["genre","Platform"]]')}`;
      expect(await exists('games:list')).toBe(true);
      expect(await exists(filteredKey)).toBe(true);

      const created = await createGame();
      expect(created).toMatchObject({ item: 'Hollow Knight', price: 14.99, available: 10 });
      expect(await exists('games:list')).toBe(false);
      expect(await exists(filteredKey)).toBe(false);

      const list = await api.http.get('/games?genre=Platform').expect(200);
      expect(list.headers['x-cache']).toBe('MISS');
      expect(list.body.items.map((g: { item: string }) => g.item)).toContain('Hollow Knight');
      expect((await games.findOne({ _id: new ObjectId(created._id) }))?.price_cents).toBe(1499);
    });

    it('PUT replaces the game, removes its id key and the list key; the new price is visible', async () => {
      const { _id } = await createGame({ item: 'Celeste', price: 19.99 });
      await api.http.get('/games').expect(200);
      await api.http.get(`/games/${_id}`).expect(200);
      expect((await api.http.get(`/games/${_id}`).expect(200)).headers['x-cache']).toBe('HIT');

      const replaced = await api.http
        .put(`/games/${_id}`)
        .set(adminAuth)
        .send(newGame({ item: 'Celeste', price: 9.99, genre: ['Platform', 'Indie'] }))
        .expect(200);
      expect(replaced.body).toMatchObject({ _id, price: 9.99, genre: ['Platform', 'Indie'] });
      expect(await exists('games:list')).toBe(false);
      expect(await exists(`games:id:${_id}`)).toBe(false);
      const after = await api.http.get(`/games/${_id}`).expect(200);
      expect(after.headers['x-cache']).toBe('MISS');
      expect(after.body.price).toBe(9.99);

      // PUT is a full replacement: a body missing fields is refused and changes nothing.
      const partial = await api.http.put(`/games/${_id}`).set(adminAuth).send({ price: 1 }).expect(400);
      expect(String(partial.body.message)).toMatch(/item/);
      expect((await api.http.get(`/games/${_id}`).expect(200)).body.price).toBe(9.99);
    });

    it('PATCH changes only the given fields and invalidates', async () => {
      const { _id } = await createGame({ item: 'Hades', price: 24.99, available: 3 });
      await api.http.get(`/games/${_id}`).expect(200);
      await api.http.get('/games').expect(200);
      const patched = await api.http.patch(`/games/${_id}`).set(adminAuth).send({ available: 7 }).expect(200);
      expect(patched.body).toMatchObject({ item: 'Hades', price: 24.99, available: 7 });
      expect(await exists('games:list')).toBe(false);
      expect(await exists(`games:id:${_id}`)).toBe(false);
      expect((await api.http.get(`/games/${_id}`).expect(200)).body.available).toBe(7);
    });

    it('DELETE removes the game, its id key and the list key; it is gone from reads', async () => {
      const { _id } = await createGame({ item: 'Short Lived' });
      await api.http.get('/games?limit=100').expect(200);
      await api.http.get(`/games/${_id}`).expect(200);
      await api.http.delete(`/games/${_id}`).set(adminAuth).expect(200);
      expect(await exists(`games:list:${sha1('[["limit","100"]]')}`)).toBe(false);
      expect(await exists(`games:id:${_id}`)).toBe(false);
      await api.http.get(`/games/${_id}`).expect(404);
      const list = await api.http.get('/games?limit=100').expect(200);
      expect(list.body.items.map((g: { _id: string }) => g._id)).not.toContain(_id);
      await api.http.delete(`/games/${_id}`).set(adminAuth).expect(404);
    });

    it('client writes invalidate the clients namespace the same way', async () => {
      await api.http.get('/clients').expect(200);
      const { _id } = await createClient('new.client@example.com');
      expect(await exists('clients:list')).toBe(false);
      await api.http.get(`/clients/${_id}`).expect(200);
      const patched = await api.http.patch(`/clients/${_id}`).set(adminAuth).send({ membership: 'premium', total_spent: 10.1 }).expect(200);
      expect(patched.body).toMatchObject({ membership: 'premium', total_spent: 10.1 });
      expect(await exists(`clients:id:${_id}`)).toBe(false);
      expect((await api.http.get(`/clients/${_id}`).expect(200)).body.membership).toBe('premium');
      // PUT replaces the whole client: every field is required.
      const missing = await api.http
        .put(`/clients/${_id}`)
        .set(adminAuth)
        .send({ name: 'Renamed', email: 'new.client@example.com' })
        .expect(400);
      expect(String(missing.body.message)).toMatch(/joined_date/);
      const whole = {
        name: 'Renamed',
        email: 'renamed@example.com',
        joined_date: '2023-05-01',
        membership: 'gold',
        total_spent: 0,
        bought: [],
      };
      expect((await api.http.put(`/clients/${_id}`).set(adminAuth).send(whole).expect(200)).body).toEqual({ _id, ...whole });
      expect((await api.http.get(`/clients/${_id}`).expect(200)).body.name).toBe('Renamed');
      await api.http.delete(`/clients/${_id}`).set(adminAuth).expect(200);
      await api.http.get(`/clients/${_id}`).expect(404);
    });
  });

  describe('purchases', () => {
    it('sells exactly the 5 units in stock to 20 concurrent buyers; the rest get 409; cached and uncached reads agree', async () => {
      const game = await createGame({ item: 'Scarce Title', price: 19.99, available: 5 });
      const buyers = await Promise.all([0, 1, 2, 3].map((i) => createClient(`buyer${i}@example.com`)));
      // Warm both caches with the old state, which every sale must invalidate.
      await api.http.get(`/games/${game._id}`).expect(200);
      await api.http.get('/games').expect(200);
      await Promise.all(buyers.map((b) => api.http.get(`/clients/${b._id}`).expect(200)));

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api.http
            .post(`/games/${game._id}/purchase`)
            .set(adminAuth)
            .send({ clientId: buyers[i % buyers.length]._id }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 409)).toHaveLength(15);
      expect(results.find((r) => r.status === 409)!.body.message).toMatch(/out of stock/);
      expect((await games.findOne({ _id: new ObjectId(game._id) }))?.available).toBe(0);

      const uncached = await ctx.startApp({ CACHE_ENABLED: false, CACHE_FEED_ENABLED: false });
      const viaCache = await api.http.get(`/games/${game._id}`).expect(200);
      const direct = await uncached.http.get(`/games/${game._id}`).expect(200);
      expect(direct.headers['x-cache']).toBe('BYPASS');
      expect(viaCache.body).toEqual(direct.body);
      expect(viaCache.body.available).toBe(0);
      expect((await api.http.get(`/games/${game._id}`).expect(200)).headers['x-cache']).toBe('HIT');

      // Each sale is recorded on its buyer: 5 titles, 5 × 19.99 = 99.95 exactly.
      const after = await Promise.all(buyers.map(async (b) => (await api.http.get(`/clients/${b._id}`).expect(200)).body));
      const uncachedAfter = await Promise.all(buyers.map(async (b) => (await uncached.http.get(`/clients/${b._id}`).expect(200)).body));
      expect(after).toEqual(uncachedAfter);
      expect(after.flatMap((c) => c.bought)).toEqual(Array(5).fill('Scarce Title'));
      const centsSpent = (await clients.find({ _id: { $in: buyers.map((b) => new ObjectId(b._id)) } }).toArray()).reduce(
        (sum, c) => sum + (c.total_spent_cents as number),
        0,
      );
      expect(centsSpent).toBe(9995);
    });

    it('adds prices in exact cents (3 × 0.10 is 0.30, not 0.30000000000000004)', async () => {
      const game = await createGame({ item: 'Dime Game', price: 0.1, available: 3 });
      const buyer = await createClient('dimes@example.com');
      for (let i = 0; i < 3; i++) {
        await api.http.post(`/games/${game._id}/purchase`).set(adminAuth).send({ clientId: buyer._id }).expect(201);
      }
      const client = await api.http.get(`/clients/${buyer._id}`).expect(200);
      expect(client.body.total_spent).toBe(0.3);
      expect(client.body.bought).toEqual(['Dime Game', 'Dime Game', 'Dime Game']);
    });

    it('answers 404 for an unknown client or game, 409 when out of stock, 400 for a malformed client id; stock is untouched', async () => {
      const game = await createGame({ item: 'Guarded', available: 1 });
      const buyer = await createClient('guarded@example.com');
      const unknown = new ObjectId().toHexString();
      const noClient = await api.http.post(`/games/${game._id}/purchase`).set(adminAuth).send({ clientId: unknown }).expect(404);
      expect(noClient.body.message).toMatch(/client/);
      const noGame = await api.http.post(`/games/${unknown}/purchase`).set(adminAuth).send({ clientId: buyer._id }).expect(404);
      expect(noGame.body.message).toMatch(/game/);
      const malformed = await api.http.post(`/games/${game._id}/purchase`).set(adminAuth).send({ clientId: 'abc' }).expect(400);
      expect(String(malformed.body.message)).toMatch(/clientId/);
      await api.http
        .post(`/games/${game._id}/purchase`)
        .set(adminAuth)
        .send({ clientId: { $ne: null } })
        .expect(400);
      await api.http.post(`/games/${game._id}/purchase`).send({ clientId: buyer._id }).expect(401);
      expect((await games.findOne({ _id: new ObjectId(game._id) }))?.available).toBe(1);

      await api.http.post(`/games/${game._id}/purchase`).set(adminAuth).send({ clientId: buyer._id }).expect(201);
      await api.http.post(`/games/${game._id}/purchase`).set(adminAuth).send({ clientId: buyer._id }).expect(409);
      expect((await games.findOne({ _id: new ObjectId(game._id) }))?.available).toBe(0);
      expect((await api.http.get(`/clients/${buyer._id}`).expect(200)).body.bought).toEqual(['Guarded']);
    });
  });

  describe('purchase compensation', () => {
    it('gives the unit back when the client disappears between the check and the sale (404, stock unchanged)', async () => {
      const game = await createGame({ item: 'Raced', available: 2 });
      const buyer = await createClient('vanishing@example.com');
      await api.http.get(`/games/${game._id}`).expect(200);
      // Reproduce the race deterministically: an outside writer deletes the client right before
      // the service records the sale (every database operation is real).
      const model = api.app.get<Model<Client>>(getModelToken(Client.name));
      const original = model.findOneAndUpdate.bind(model) as (...args: unknown[]) => Query<unknown, unknown>;
      const spy = jest.spyOn(model, 'findOneAndUpdate').mockImplementationOnce(((...args: unknown[]) => {
        const query = original(...args);
        const exec = query.exec.bind(query);
        query.exec = async () => {
          await clients.deleteOne({ _id: new ObjectId(buyer._id) });
          return exec();
        };
        return query;
      }) as never);
      try {
        const res = await api.http.post(`/games/${game._id}/purchase`).set(adminAuth).send({ clientId: buyer._id }).expect(404);
        expect(res.body.message).toMatch(/client/);
      } finally {
        spy.mockRestore();
      }
      expect((await games.findOne({ _id: new ObjectId(game._id) }))?.available).toBe(2);
      const read = await api.http.get(`/games/${game._id}`).expect(200);
      expect(read.headers['x-cache']).toBe('MISS');
      expect(read.body.available).toBe(2);
    });
  });

  describe('bad input changes nothing', () => {
    let before: number;
    beforeEach(async () => {
      before = await games.countDocuments();
    });
    afterEach(async () => {
      expect(await games.countDocuments()).toBe(before);
    });

    it('400 for a malformed id, 404 for an unknown one', async () => {
      const bad = await api.http.get('/games/not-an-id').expect(400);
      expect(String(bad.body.message)).toMatch(/ObjectId/);
      await api.http.patch('/games/123').set(adminAuth).send({ price: 1 }).expect(400);
      await api.http.get(`/games/${new ObjectId().toHexString()}`).expect(404);
      await api.http.get(`/clients/${new ObjectId().toHexString()}`).expect(404);
      await api.http.put(`/games/${new ObjectId().toHexString()}`).set(adminAuth).send(newGame()).expect(404);
      expect(await exists('games:id:not-an-id')).toBe(false);
    });

    it.each([
      ['negative price', { price: -1 }, /price/],
      ['a price finer than cents', { price: 1.999 }, /price/],
      ['negative stock', { available: -1 }, /available/],
      ['fractional stock', { available: 1.5 }, /available/],
      ['a year as a string', { year: '2002' }, /year/],
      ['a genre that is not a list of strings', { genre: 'FPS' }, /genre/],
      ['an unknown field', { rating: 5 }, /property rating should not exist/],
      ['a $where operator', { $where: 'sleep(1000)' }, /property \$where should not exist/],
      ['an operator object as a title', { item: { $gt: '' } }, /item must be a string/],
    ])('POST /games with %s → 400 naming the field', async (_, change, message) => {
      const res = await api.http.post('/games').set(adminAuth).send(newGame(change)).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', path: '/games' });
      expect(String(res.body.message)).toMatch(message);
    });

    it('refuses a body that is not an object, and an empty PATCH', async () => {
      await api.http.post('/games').set(adminAuth).send([newGame()]).expect(400);
      await api.http.post('/games').set(adminAuth).set('content-type', 'application/json').send('{"item":').expect(400);
      const id = String((await games.findOne({ item: 'Minecraft' }))!._id);
      const empty = await api.http.patch(`/games/${id}`).set(adminAuth).send({}).expect(400);
      expect(empty.body.message).toMatch(/at least one field/);
      await api.http.patch(`/games/${id}`).set(adminAuth).send({ available: -3 }).expect(400);
      expect((await games.findOne({ item: 'Minecraft' }))?.available).toBe(87);
    });

    it('needs the admin credential to write', async () => {
      await api.http.post('/games').send(newGame()).expect(401);
      // A wrong bearer is refused (401 or 403 depending on whether the guard reads it as a bad JWT or a non-admin).
      const wrong = await api.http.post('/games').set({ Authorization: 'Bearer wrong-token-0123456789' }).send(newGame());
      expect([401, 403]).toContain(wrong.status);
      await api.http.post('/clients').send({ name: 'x', email: 'x@example.com' }).expect(401);
    });

    it('rejects query operators and bad query values; text is matched literally', async () => {
      for (const query of ['price[$gt]=1', 'minPrice[$gt]=1', 'genre[$ne]=x', 'sort=$where', 'sort=price_cents']) {
        const res = await api.http.get(`/games?${query}`).expect(400);
        expect(res.body.statusCode).toBe(400);
      }
      expect(String((await api.http.get('/games?minPrice=abc').expect(400)).body.message)).toMatch(/minPrice/);
      expect(String((await api.http.get('/games?minPrice=-1').expect(400)).body.message)).toMatch(/minPrice/);
      expect(String((await api.http.get('/games?limit=1000').expect(400)).body.message)).toMatch(/limit/);
      expect(String((await api.http.get('/games?genre=a&genre=b').expect(400)).body.message)).toMatch(/genre/);
      expect((await api.http.get('/games?minPrice=50&maxPrice=10').expect(400)).body.message).toMatch(/minPrice/);
      expect((await api.http.get('/games?q=.*').expect(200)).body.total).toBe(0);
      expect((await api.http.get('/games?q=(').expect(200)).body.total).toBe(0);
      expect((await api.http.get('/clients?membership=platinum').expect(400)).body.message).toEqual(
        expect.arrayContaining([expect.stringMatching(/membership/)]),
      );
    });

    it('clients: duplicate email → 409 (case-insensitively), bad email/date/membership → 400', async () => {
      const clientsBefore = await clients.countDocuments();
      const dup = await api.http.post('/clients').set(adminAuth).send({ name: 'Again', email: 'JohnDoe@Hotmail.com' }).expect(409);
      expect(dup.body.message).toBe('email already exists');
      const mike = String((await clients.findOne({ email: 'mike.chen@outlook.com' }))!._id);
      await api.http.patch(`/clients/${mike}`).set(adminAuth).send({ email: 'johndoe@hotmail.com' }).expect(409);
      for (const [body, field] of [
        [{ name: 'A', email: 'not-an-email' }, /email/],
        [{ name: 'A', email: 'a1@example.com', joined_date: '2024-02-30' }, /joined_date/],
        [{ name: 'A', email: 'a2@example.com', joined_date: '15/01/2024' }, /joined_date/],
        [{ name: 'A', email: 'a3@example.com', membership: 'platinum' }, /membership/],
        [{ name: 'A', email: 'a4@example.com', total_spent: -5 }, /total_spent/],
        [{ name: 'A', email: { $gt: '' } }, /email/],
      ] as const) {
        const res = await api.http.post('/clients').set(adminAuth).send(body).expect(400);
        expect(String(res.body.message)).toMatch(field);
      }
      expect(await clients.countDocuments()).toBe(clientsBefore);
      expect((await clients.findOne({ _id: new ObjectId(mike) }))?.email).toBe('mike.chen@outlook.com');
    });
  });
});
