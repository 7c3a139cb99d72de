import { JwtService } from '@nestjs/jwt';
import { CreateManagerCommand, PromoteUserCommand } from '../../src/users/users.command';
import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';

const JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

// argon2 hashing on a shared CPU makes set-up take seconds (the config's testTimeout does not reach projects).
jest.setTimeout(60_000);

describe('auth: accounts, tokens and the guards', () => {
  let ctx: TestContext;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('auth');
    api = await ctx.startApp({ JWT_SECRET });
  });
  afterAll(() => ctx.close());

  /** Registers, and reads the account back from the database (the answer does not say whether it was created). */
  async function register(username: string, password = 'password-123') {
    const res = await api.http.post('/auth/register').send({ username, email: `${username}@example.com`, password });
    expect(res.status).toBe(202);
    expect(JSON.stringify(res.body)).not.toMatch(/password/);
    const stored = await ctx.mongo
      .db(ctx.dbName)
      .collection('users')
      .findOne({ username: username.toLowerCase() }, { projection: { password_hash: 0 } });
    return { ...stored, _id: String(stored?._id) } as unknown as { _id: string; username: string; email: string; role: string };
  }
  async function login(body: Record<string, string>) {
    return api.http.post('/auth/login').send(body);
  }

  it('registers a regular user, stores an argon2id hash and never returns it', async () => {
    const user = await register('Ana_Souza');
    expect(user).toMatchObject({ username: 'ana_souza', email: 'ana_souza@example.com', role: 'user' });
    expect(JSON.stringify(user)).not.toMatch(/password/);
    const stored = await ctx.mongo.db(ctx.dbName).collection('users').findOne({ username: 'ana_souza' });
    expect(stored?.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored?.password_hash).not.toContain('password-123');
  });

  it('never grants manager at registration and rejects unknown or operator-shaped fields', async () => {
    const withRole = await api.http
      .post('/auth/register')
      .send({ username: 'sneaky', email: 'sneaky@example.com', password: 'password-123', role: 'manager' });
    expect(withRole.status).toBe(400);
    const operator = await api.http
      .post('/auth/register')
      .send({ username: { $gt: '' }, email: 'x@example.com', password: 'password-123' });
    expect(operator.status).toBe(400);
    const shortPassword = await api.http
      .post('/auth/register')
      .send({ username: 'shorty', email: 'shorty@example.com', password: 'short' });
    expect(shortPassword.status).toBe(400);
    expect(
      await ctx.mongo
        .db(ctx.dbName)
        .collection('users')
        .countDocuments({ username: { $in: ['sneaky', 'shorty'] } }),
    ).toBe(0);
  });

  it('answers a taken username or email (case-insensitive) exactly like a free one, and creates nothing', async () => {
    await register('bruno');
    const users = ctx.mongo.db(ctx.dbName).collection('users');
    const before = await users.countDocuments();
    const free = await api.http.post('/auth/register').send({ username: 'bruna', email: 'bruna@example.com', password: 'password-123' });
    const sameName = await api.http
      .post('/auth/register')
      .send({ username: 'BRUNO', email: 'other@example.com', password: 'password-123' });
    const sameEmail = await api.http
      .post('/auth/register')
      .send({ username: 'bruno2', email: 'Bruno@Example.com', password: 'password-123' });
    for (const res of [sameName, sameEmail]) {
      expect(res.status).toBe(free.status);
      expect(res.body).toEqual(free.body);
    }
    expect(free.status).toBe(202);
    expect(await users.countDocuments()).toBe(before + 1);
    expect(await users.countDocuments({ username: { $in: ['bruno2'] } })).toBe(0);
    expect(await users.countDocuments({ email: 'other@example.com' })).toBe(0);
  });

  it('logs in by username or email and the token identifies the user at /auth/me', async () => {
    await register('carla');
    const byName = await login({ username: 'carla', password: 'password-123' });
    expect(byName.status).toBe(200);
    expect(byName.body.access_token).toEqual(expect.any(String));
    const byEmail = await login({ email: 'CARLA@example.com', password: 'password-123' });
    expect(byEmail.status).toBe(200);
    const me = await api.http.get('/auth/me').set(bearer(byEmail.body.access_token));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'carla', role: 'user' });
    expect(me.body.password_hash).toBeUndefined();
  });

  it('gives the same 401 for a wrong password and an unknown account', async () => {
    await register('diego');
    const wrong = await login({ username: 'diego', password: 'not-the-password' });
    const unknown = await login({ username: 'nobody-here', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect((await login({ password: 'x' })).status).toBe(400);
    expect((await api.http.post('/auth/login').send({ username: { $ne: null }, password: 'x' })).status).toBe(400);
  });

  describe('401 for every token that is not a valid one of ours', () => {
    let token: string;
    let userId: string;
    beforeAll(async () => {
      userId = (await register('erica'))._id;
      token = (await login({ username: 'erica', password: 'password-123' })).body.access_token;
    });

    const cases: [string, () => Record<string, string>][] = [
      ['no Authorization header', () => ({})],
      ['a scheme other than Bearer', () => ({ Authorization: `Basic ${Buffer.from('erica:password-123').toString('base64')}` })],
      ['an empty bearer', () => ({ Authorization: 'Bearer ' })],
      ['a malformed token', () => bearer('not.a.jwt')],
      ['a tampered payload', () => bearer(tamperPayload(token, { role: 'manager' }))],
      ['a tampered signature', () => bearer(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'))],
      [
        'a token signed with another secret',
        () => bearer(new JwtService({ secret: 'another-secret-0123456789abcdef0123' }).sign(claims(userId))),
      ],
      ['an expired token', () => bearer(new JwtService({ secret: JWT_SECRET }).sign(claims(userId), { expiresIn: -10 }))],
      ['an unsigned (alg none) token', () => bearer(unsigned(claims(userId)))],
    ];
    it.each(cases)('%s → 401 on /auth/me and on an admin route', async (_name, headers) => {
      const me = await api.http.get('/auth/me').set(headers());
      expect(me.status).toBe(401);
      expect(me.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect((await api.http.get('/cache/stats').set(headers())).status).toBe(401);
    });

    it('a valid token of the same secret passes (the cases above fail for their flaw alone)', async () => {
      const fresh = new JwtService({ secret: JWT_SECRET }).sign(claims(userId), { expiresIn: 60 });
      expect((await api.http.get('/auth/me').set(bearer(fresh))).status).toBe(200);
    });
  });

  describe('AdminGuard: ADMIN_TOKEN or a manager token', () => {
    it('403 for a regular user, 200 for the admin token and for a manager', async () => {
      await register('fabio');
      const userToken = (await login({ username: 'fabio', password: 'password-123' })).body.access_token;
      expect((await api.http.get('/cache/stats').set(bearer(userToken))).status).toBe(403);
      expect((await api.http.get('/cache/stats').set(adminAuth)).status).toBe(200);

      // The CLI's promote command; the role applies from the next request.
      await api.app.get(PromoteUserCommand).run(['fabio']);
      expect((await api.http.get('/cache/stats').set(bearer(userToken))).status).toBe(200);
      const managerToken = (await login({ username: 'fabio', password: 'password-123' })).body.access_token;
      expect((await api.http.get('/cache/stats').set(bearer(managerToken))).status).toBe(200);
      expect((await api.http.get('/auth/me').set(bearer(managerToken))).body.role).toBe('manager');
    });

    it('the CLI creates a manager directly; unknown users cannot be promoted', async () => {
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        await api.app.get(CreateManagerCommand).run([], { username: 'gestora', email: 'gestora@example.com', password: 'manager-pass-1' });
        await expect(api.app.get(PromoteUserCommand).run(['no-such-user'])).rejects.toThrow(/no user/);
      } finally {
        log.mockRestore();
      }
      const res = await login({ email: 'gestora@example.com', password: 'manager-pass-1' });
      expect((await api.http.get('/cache/stats').set(bearer(res.body.access_token))).status).toBe(200);
    });
  });

  it('declares bearer auth in the OpenAPI document for /auth/me', async () => {
    const doc = await api.http.get('/docs-json');
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.paths['/auth/me'].get.security).toEqual([{ bearer: [] }]);
  });
});

function claims(userId: string) {
  return { sub: userId, username: 'erica', role: 'user' };
}

function tamperPayload(token: string, change: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
  return [header, Buffer.from(JSON.stringify({ ...decoded, ...change })).toString('base64url'), signature].join('.');
}

function unsigned(payload: object): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...payload, iat: Math.floor(Date.now() / 1000) })}.`;
}
