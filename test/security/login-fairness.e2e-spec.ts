import { UsersService } from '../../src/users/users.service';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';

jest.setTimeout(120_000);

const JWT_SECRET = 'login-fairness-test-secret-0123456789abcdef';
const password = 'password-123';
const OWNER_ADDRESS = '203.0.113.10';

/**
 * Issue #24 item 6 and issue #25's password-hash line: failed logins from elsewhere neither lock
 * the owner out nor fill the hash pool everyone's login waits in. Clients are told apart by
 * X-Forwarded-For from a trusted proxy (the test's loopback connection).
 */
describe('security: login throttling and the hash pool keep capacity for owners', () => {
  let ctx: TestContext;
  const from = (api: TestApp, address: string, body: object) => api.http.post('/auth/login').set('X-Forwarded-For', address).send(body);

  beforeAll(async () => {
    ctx = await createTestContext('sec-login-fairness');
    const setup = await ctx.startApp({ JWT_SECRET });
    for (const name of ['ana', 'bia']) {
      await setup.http
        .post('/auth/register')
        .send({ username: name, email: `${name}@example.com`, password })
        .expect(202);
    }
    await setup.close();
  });
  afterAll(() => ctx.close());
  beforeEach(() => ctx.redis.flushdb().then(() => undefined));

  it('counts the name forms of an account as one and holds back the guessing addresses, not the owner', async () => {
    const api = await ctx.startApp({ JWT_SECRET, TRUST_PROXY: 'loopback', RATE_LIMIT_LOGIN_PER_ACCOUNT: 3 });
    await from(api, OWNER_ADDRESS, { username: 'ana', password }).expect(200);

    // Three wrong guesses, each naming the account differently.
    await from(api, '198.51.100.1', { username: 'ana', password: 'wrong-1' }).expect(401);
    await from(api, '198.51.100.1', { email: 'ANA@example.com', password: 'wrong-2' }).expect(401);
    await from(api, '198.51.100.2', { username: 'Ana', email: '', password: 'wrong-3' }).expect(401);
    // A fourth, in yet another form and from yet another address: the account's limit is reached.
    const fourth = await from(api, '198.51.100.3', { email: 'ana@example.com', password: 'wrong-4' });
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    // An address that never logged in to ana is held back even with the right password.
    const guessed = await from(api, '198.51.100.4', { username: 'ana', password });
    expect(guessed.status).toBe(429);
    expect(guessed.body.access_token).toBeUndefined();

    // The owner, from where they logged in before, still logs in, by either name.
    const owner = await from(api, OWNER_ADDRESS, { username: 'ana', password });
    expect(owner.status).toBe(200);
    expect(owner.body.access_token).toEqual(expect.any(String));
    await from(api, OWNER_ADDRESS, { email: 'ana@example.com', password }).expect(200);
    // Other accounts are not affected.
    await from(api, '198.51.100.1', { username: 'bia', password }).expect(200);
  });

  it('three addresses flooding logins hold a bounded share of the hash pool: owners still log in', async () => {
    const api = await ctx.startApp({
      JWT_SECRET,
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: 1000,
      PASSWORD_HASH_CONCURRENCY: 2,
      PASSWORD_HASH_QUEUE_LIMIT: 16,
      PASSWORD_HASH_PER_ADDRESS: 2,
      PASSWORD_HASH_PER_ACCOUNT: 2,
    });
    await from(api, OWNER_ADDRESS, { username: 'ana', password }).expect(200);
    const hashing = api.app.get(UsersService);
    let longestLine = 0;
    const sampler = setInterval(() => {
      longestLine = Math.max(longestLine, hashing.hashingStats.running + hashing.hashingStats.queued);
    }, 2);

    // 3 addresses x 20 logins at once: half guess ana's password, half name unknown accounts.
    const flood = ['198.51.100.1', '198.51.100.2', '198.51.100.3'].flatMap((address) =>
      Array.from({ length: 20 }, (_, i) =>
        from(api, address, i % 2 ? { username: 'ana', password: `wrong-${i}` } : { username: `ghost${i}`, password }).then((r) => r.status),
      ),
    );
    expect(await eventually(() => hashing.hashingStats.running === 2, 10_000, 2)).toBe(true);

    // The owner from a trusted address, and another user from a new one, during the flood.
    const [owner, other] = await Promise.all([
      from(api, OWNER_ADDRESS, { username: 'ana', password }),
      from(api, '203.0.113.20', { username: 'bia', password }),
    ]);
    const statuses = await Promise.all(flood);
    clearInterval(sampler);
    console.log(
      JSON.stringify({ longestLine, flood: statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {}) }),
    );

    expect(owner.status).toBe(200);
    expect(other.status).toBe(200);
    // At most 2 per address (6) and the two owners were ever in the pool; the rest were refused at once, never a 5xx.
    expect(longestLine).toBeLessThanOrEqual(6 + 2);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });
});
