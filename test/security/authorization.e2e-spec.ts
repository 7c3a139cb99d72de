import { DeleteUserCommand, DemoteUserCommand, RevokeTokensCommand } from '../../src/users/users.command';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';
import { signUp } from '../imagedoc/imagedoc-helpers';

jest.setTimeout(60_000);

const JWT_SECRET = 'imagedoc-test-secret-0123456789abcdef';

describe('security: authorization follows the source of truth on the next request', () => {
  let ctx: TestContext;
  let api: TestApp;
  /** A second instance, as the CLI or another app process would be. */
  let other: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('sec-authz');
    api = await ctx.startApp({ JWT_SECRET });
    other = await ctx.startApp({ JWT_SECRET });
  });
  afterAll(() => ctx.close());

  it('a demoted manager gets 403 on the next request, on every instance, with the token still unexpired', async () => {
    const manager = await signUp(api, 'gerente', 'manager');
    await api.http.get('/cache/stats').set(manager.auth).expect(200);
    await other.http.get('/cache/stats').set(manager.auth).expect(200);

    await other.app.get(DemoteUserCommand).run(['gerente']);

    const denied = await api.http.get('/cache/stats').set(manager.auth);
    expect(denied.status).toBe(403);
    await other.http.get('/cache/stats').set(manager.auth).expect(403);
    // An admin write is refused too, and writes nothing.
    const clear = await api.http.delete('/cache?prefix=games:').set(manager.auth);
    expect(clear.status).toBe(403);
    expect((await api.http.get('/auth/me').set(manager.auth).expect(200)).body.role).toBe('user');
  });

  it('a deleted account gets 401 on the next request', async () => {
    const user = await signUp(api, 'temporario');
    await api.http.get('/auth/me').set(user.auth).expect(200);
    await other.app.get(DeleteUserCommand).run(['temporario']);
    const res = await api.http.get('/auth/me').set(user.auth);
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/no longer exists/);
  });

  it('revoking tokens ends every token issued before; a new login works', async () => {
    const user = await signUp(api, 'revogado');
    await api.http.get('/collections').set(user.auth).expect(200);
    await other.app.get(RevokeTokensCommand).run(['revogado']);
    const res = await api.http.get('/collections').set(user.auth);
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/revoked/);
    const fresh = await api.http.post('/auth/login').send({ username: 'revogado', password: 'password-123' }).expect(200);
    await api.http
      .get('/collections')
      .set({ Authorization: `Bearer ${fresh.body.access_token}` })
      .expect(200);
  });
});
