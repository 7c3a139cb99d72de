import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
import { Caller, createCollection, generatePdf, signUp, startImagedoc, storedFiles, upload } from '../imagedoc/imagedoc-helpers';

jest.setTimeout(60_000);

describe('security: admin cursor, /metrics, titles, per-user operation results', () => {
  let ctx: TestContext;
  let api: TestApp;
  let storageDir: string;
  let ana: Caller;
  let bruno: Caller;
  const db = () => ctx.mongo.db(ctx.dbName);

  beforeAll(async () => {
    ctx = await createTestContext('sec-small-fixes');
    ({ api, storageDir } = await startImagedoc(ctx, { METRICS_TOKEN: 'metrics-token-0123456789' }));
    [ana, bruno] = await Promise.all([signUp(api, 'ana'), signUp(api, 'bruno')]);
  });
  afterAll(() => ctx.close());

  it('answers 400 to an out-of-range cache cursor, and the cache stays on', async () => {
    for (const cursor of ['99999999999999999999', '18446744073709551616', '-1', '0x10']) {
      const res = await api.http.get(`/cache/keys?cursor=${cursor}`).set(adminAuth);
      expect([cursor, res.status]).toEqual([cursor, 400]);
    }
    await api.http.get(`/cache/keys?cursor=18446744073709551615`).set(adminAuth).expect(200);
    // Three Redis errors in a row would have opened the breaker (X-Cache: MISS forever, health "down").
    expect((await api.http.get('/health')).body.redis).toBe('up');
    await api.http.get('/games?page=7').expect(200);
    expect((await api.http.get('/games?page=7').expect(200)).headers['x-cache']).toBe('HIT');
  });

  it('protects /metrics with METRICS_TOKEN (or the admin token); without either it does not exist', async () => {
    expect((await api.http.get('/metrics')).status).toBe(401);
    expect((await api.http.get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    const scraped = await api.http.get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789').expect(200);
    expect(scraped.text).toContain('http_request_duration_seconds');
    await api.http.get('/metrics').set(adminAuth).expect(200);
    const bare = await ctx.startApp({ ADMIN_TOKEN: '' });
    expect((await bare.http.get('/metrics')).status).toBe(404);
  });

  it('applies one title rule to collections and uploads: no NUL, controls or bidi overrides; nothing written', async () => {
    const collection = await createCollection(api, ana, 'Álbum de família');
    const filesBefore = await storedFiles(storageDir);
    const collectionsBefore = await db().collection('collections').countDocuments();
    for (const title of ['nul\u0000byte', 'invoice\u202Efdp.exe', 'isolate\u2067x', 'new\nline', 'c1\u0085', ' ']) {
      const created = await api.http.post('/collections').set(ana.auth).send({ title });
      expect([title, created.status]).toEqual([title, 400]);
      const renamed = await api.http.patch(`/collections/${collection._id}`).set(ana.auth).send({ title });
      expect([title, renamed.status]).toEqual([title, 400]);
      const uploaded = await upload(api, ana, collection._id, await generatePdf('T', 'ana', ['x']), 't.pdf', title);
      expect([title, uploaded.status]).toEqual([title, 400]);
    }
    expect(await db().collection('collections').countDocuments()).toBe(collectionsBefore);
    expect((await db().collection('collections').findOne({ title: 'Álbum de família' }))?.title).toBe('Álbum de família');
    expect(await storedFiles(storageDir)).toEqual(filesBefore);
  });

  it("never answers one user's request with another user's cached result or timing", async () => {
    const bytes = await generatePdf('Shared', 'x', ['The same bytes, uploaded twice.']);
    const mine = (await upload(api, ana, (await createCollection(api, ana, 'A'))._id, bytes, 'a.pdf', 'A')).body;
    const theirs = (await upload(api, bruno, (await createCollection(api, bruno, 'B'))._id, bytes, 'b.pdf', 'B')).body;
    expect(theirs.metadata.sha256).toBe(mine.metadata.sha256);

    const first = await api.http.post(`/documents/${mine._id}/operations`).set(ana.auth).send({ type: 'extract_text' }).expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const startedAt = Date.now();
    const second = await api.http.post(`/documents/${theirs._id}/operations`).set(bruno.auth).send({ type: 'extract_text' }).expect(200);
    expect(second.headers['x-cache']).toBe('MISS');
    expect(new Date(second.body.computed_at).getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(second.body.computed_at).not.toBe(first.body.computed_at);
    // Each user's own repeat is still a HIT.
    const again = await api.http.post(`/documents/${theirs._id}/operations`).set(bruno.auth).send({ type: 'extract_text' });
    expect(again.headers['x-cache']).toBe('HIT');
    expect(again.body.computed_at).toBe(second.body.computed_at);
  });
});
