import { UsersService } from '../../src/users/users.service';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { createCollection, generateImage, signUp, startImagedoc, upload } from '../imagedoc/imagedoc-helpers';

jest.setTimeout(120_000);

const JWT_SECRET = 'rate-limit-test-secret-0123456789abcdef';
const password = 'password-123';

describe('security: rate limits in Redis, 429 with Retry-After', () => {
  let ctx: TestContext;
  const users = () => ctx.mongo.db(ctx.dbName).collection('users');
  const register = (api: TestApp, username: string) =>
    api.http.post('/auth/register').send({ username, email: `${username}@example.com`, password });

  beforeAll(async () => {
    ctx = await createTestContext('sec-rate-limits');
    const setup = await ctx.startApp({ JWT_SECRET });
    await register(setup, 'ana').expect(202);
    await setup.close();
  });
  afterAll(() => ctx.close());
  beforeEach(() => ctx.redis.flushdb().then(() => undefined));

  it('limits logins per account name from any address: past the limit even the right password gets 429 and no token', async () => {
    const api = await ctx.startApp({ JWT_SECRET, RATE_LIMIT_LOGIN_PER_ACCOUNT: 3 });
    for (let i = 0; i < 3; i++) await api.http.post('/auth/login').send({ username: 'ana', password: 'wrong-password' }).expect(401);
    const blocked = await api.http.post('/auth/login').send({ username: 'ANA', password });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/too many failed logins to this account/) });
    expect(blocked.body.access_token).toBeUndefined();
    // Another account is not affected by ana's limit.
    await api.http.post('/auth/login').send({ username: 'bruno', password }).expect(401);
  });

  it('limits logins and registrations per IP; a refused registration writes nothing', async () => {
    const api = await ctx.startApp({ JWT_SECRET, RATE_LIMIT_LOGIN_PER_IP: 2, RATE_LIMIT_REGISTER_PER_IP: 1 });
    await api.http.post('/auth/login').send({ username: 'x1', password }).expect(401);
    await api.http.post('/auth/login').send({ username: 'x2', password }).expect(401);
    expect((await api.http.post('/auth/login').send({ username: 'x3', password })).status).toBe(429);

    await register(api, 'carla').expect(202);
    const refused = await register(api, 'daniel');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(await users().countDocuments({ username: 'daniel' })).toBe(0);
  });

  it('counts per X-Forwarded-For client only when TRUST_PROXY names the proxy the request came through', async () => {
    const asClient = (api: TestApp, ip: string) => api.http.get('/health/live').set('X-Forwarded-For', ip);
    const direct = await ctx.startApp({ RATE_LIMIT_GLOBAL: 3 });
    for (let i = 0; i < 3; i++) await asClient(direct, `198.51.100.${i}`).expect(200);
    // Untrusted: the header is the client's claim, and everyone counts as the socket's address.
    expect((await asClient(direct, '198.51.100.9')).status).toBe(429);
    await direct.close();
    await ctx.redis.flushdb();

    const proxied = await ctx.startApp({ RATE_LIMIT_GLOBAL: 3, TRUST_PROXY: 'loopback' });
    for (let i = 0; i < 3; i++) await asClient(proxied, '198.51.100.7').expect(200);
    expect((await asClient(proxied, '198.51.100.7')).status).toBe(429);
    // Another client behind the same proxy has its own budget.
    await asClient(proxied, '198.51.100.8').expect(200);
  });

  it('counts every request against the per-IP ceiling, L1 cache hits served before the router included', async () => {
    const api = await ctx.startApp({ RATE_LIMIT_GLOBAL: 5 });
    const first = await api.http.get('/games').expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    for (let i = 0; i < 4; i++) {
      const hit = await api.http.get('/games').expect(200);
      expect(hit.headers['x-cache-tier']).toBe('l1');
    }
    const refused = await api.http.get('/games');
    expect(refused.status).toBe(429);
    expect(refused.headers['x-cache']).toBeUndefined();
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ statusCode: 429, path: '/games', requestId: expect.any(String) });
  });

  it('shares the counts between instances through Redis', async () => {
    const a = await ctx.startApp({ RATE_LIMIT_GLOBAL: 4 });
    const b = await ctx.startApp({ RATE_LIMIT_GLOBAL: 4 });
    await a.http.get('/health');
    await a.http.get('/health');
    await b.http.get('/health');
    await b.http.get('/health');
    expect((await a.http.get('/health')).status).toBe(429);
    expect((await b.http.get('/health')).status).toBe(429);
  });

  it('with leases (a fiftieth of the limit per round trip), never lets more than the limit through across instances', async () => {
    const a = await ctx.startApp({ RATE_LIMIT_GLOBAL: 100 });
    const b = await ctx.startApp({ RATE_LIMIT_GLOBAL: 100 });
    const statuses: number[] = [];
    for (let i = 0; i < 120; i++) statuses.push((await (i % 3 === 0 ? a : b).http.get('/health')).status);
    const passed = statuses.filter((s) => s === 200).length;
    expect(passed).toBeLessThanOrEqual(100);
    // Each instance may hold one unspent lease (2 hits) when the shared count runs out.
    expect(passed).toBeGreaterThanOrEqual(96);
    expect(statuses.slice(passed)).toEqual(Array(120 - passed).fill(429));
  });

  it('falls back to a per-process limit when Redis is unreachable (fails open to a weaker limit, not to none)', async () => {
    const api = await ctx.startApp({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_GLOBAL: 3 });
    for (let i = 0; i < 3; i++) expect((await api.http.get('/games')).status).toBe(200);
    expect((await api.http.get('/games')).status).toBe(429);
  });

  it('bounds argon2 work: with the hashing slots and line full, a login gets 503 + Retry-After at once', async () => {
    const api = await ctx.startApp({ JWT_SECRET, PASSWORD_HASH_CONCURRENCY: 1, PASSWORD_HASH_QUEUE_LIMIT: 1 });
    const service = api.app.get(UsersService);
    const attempts = [1, 2].map(() =>
      api.http
        .post('/auth/login')
        .send({ username: 'ana', password })
        .then((r) => r.status),
    );
    expect(await eventually(() => service.hashingStats.running === 1 && service.hashingStats.queued === 1, 10_000, 2)).toBe(true);
    const refused = await api.http.post('/auth/login').send({ username: 'ana', password });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(await Promise.all(attempts)).toEqual([200, 200]);
  });

  it('limits document operations per user; a refused operation computes and stores nothing', async () => {
    const { api } = await startImagedoc(ctx, { RATE_LIMIT_OPERATIONS_PER_USER: 2 });
    const eva = await signUp(api, 'eva');
    const collection = await createCollection(api, eva);
    const image = (await upload(api, eva, collection._id, await generateImage('RATE', 'png', 30, 200, 100), 'r.png', 'R')).body;
    const run = (type: string, params?: object) => api.http.post(`/documents/${image._id}/operations`).set(eva.auth).send({ type, params });
    await run('grayscale').expect(200);
    await run('grayscale').expect(200); // a cache hit still counts: the limit is on requests
    const documentsBefore = await ctx.mongo.db(ctx.dbName).collection('documents').countDocuments();
    const refused = await run('convert', { format: 'webp' });
    expect(refused.status).toBe(429);
    expect(await ctx.redis.keys(`operations.${image.metadata.sha256}:list:convert:*`)).toEqual([]);
    expect(await ctx.mongo.db(ctx.dbName).collection('documents').countDocuments()).toBe(documentsBefore);
    // Another user has a budget of their own.
    const fabio = await signUp(api, 'fabio');
    await api.http.post(`/documents/${image._id}/operations`).set(fabio.auth).send({ type: 'grayscale' }).expect(404);
  });
});
