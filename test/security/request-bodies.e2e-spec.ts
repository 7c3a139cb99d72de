import { createTestContext, TestApp, TestContext } from '../harness/test-app';
import { Caller, createCollection, signUp, startImagedoc, storedFiles } from '../imagedoc/imagedoc-helpers';

jest.setTimeout(60_000);

/** `{"username":[[[[…"x"…]]]],"password":"…"}` nested `depth` levels. */
function nested(depth: number): string {
  return `{"username":${'['.repeat(depth)}"x"${']'.repeat(depth)},"password":"password-123"}`;
}

describe('security: request bodies are bounded before any work', () => {
  let ctx: TestContext;
  let api: TestApp;
  let storageDir: string;
  let owner: Caller;
  const users = () => ctx.mongo.db(ctx.dbName).collection('users');

  beforeAll(async () => {
    ctx = await createTestContext('sec-bodies');
    ({ api, storageDir } = await startImagedoc(ctx));
    owner = await signUp(api, 'owner');
  });
  afterAll(() => ctx.close());

  it('refuses deeply nested JSON with 400 (not a stack overflow) and writes nothing', async () => {
    const before = await users().countDocuments();
    for (const path of ['/auth/login', '/auth/register']) {
      const res = await api.http.post(path).set('content-type', 'application/json').send(nested(5000));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/nested more than 32 levels/);
    }
    // Just inside the limit is parsed and validated as usual (a wrong type, not a depth error).
    const shallow = await api.http.post('/auth/register').set('content-type', 'application/json').send(nested(30));
    expect(shallow.status).toBe(400);
    expect(JSON.stringify(shallow.body.message)).not.toMatch(/nested/);
    expect(await users().countDocuments()).toBe(before);
  });

  it('refuses a body over JSON_BODY_MAX_BYTES with 413 and writes nothing', async () => {
    const before = await users().countDocuments();
    const password = 'p'.repeat(1024 * 1024 + 10);
    const res = await api.http.post('/auth/register').send({ username: 'big', email: 'big@example.com', password });
    expect(res.status).toBe(413);
    expect(await users().countDocuments()).toBe(before);
  });

  it('answers 400 to malformed or cut-short multipart uploads and stores nothing', async () => {
    const collection = await createCollection(api, owner);
    const filesBefore = await storedFiles(storageDir);
    const post = (contentType: string, body: string) =>
      api.http.post(`/collections/${collection._id}/documents`).set(owner.auth).set('content-type', contentType).send(Buffer.from(body));

    const noBoundary = await post('multipart/form-data', '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nA\r\n--x--\r\n');
    const truncated = await post(
      'multipart/form-data; boundary=xyz',
      '--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nA\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG',
    );
    const badHeaders = await post('multipart/form-data; boundary=xyz', '--xyz\r\nnot a header line\r\n\r\nA\r\n--xyz--\r\n');
    for (const res of [noBoundary, truncated, badHeaders]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(truncated.status).toBe(400);
    expect(
      await ctx.mongo
        .db(ctx.dbName)
        .collection('documents')
        .countDocuments({ collection_id: { $exists: true } }),
    ).toBe(0);
    expect(await storedFiles(storageDir)).toEqual(filesBefore);
  });

  it('refuses form encodings on JSON routes with 415 and writes nothing', async () => {
    const before = await users().countDocuments();
    const login = await api.http.post('/auth/login').type('form').send({ username: 'owner', password: 'password-123' });
    expect(login.status).toBe(415);
    expect(login.body.access_token).toBeUndefined();
    const register = await api.http
      .post('/auth/register')
      .type('form')
      .send({ username: 'formy', email: 'formy@example.com', password: 'password-123' });
    expect(register.status).toBe(415);
    const text = await api.http.post('/auth/login').set('content-type', 'text/plain').send('username=owner');
    expect(text.status).toBe(415);
    expect(await users().countDocuments()).toBe(before);
  });

  it('accepts a bodyless DELETE that says Content-Type: application/json', async () => {
    const collection = await createCollection(api, owner, 'To delete');
    const res = await api.http.delete(`/collections/${collection._id}`).set(owner.auth).set('content-type', 'application/json');
    expect(res.status).toBeLessThan(300);
    await api.http.get(`/collections/${collection._id}`).set(owner.auth).expect(404);
  });
});
