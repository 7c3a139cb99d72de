import { createTestContext, TestApp, TestContext } from '../harness/test-app';
import { noiseImage } from '../../bench/lib/hostile-files';
import { Caller, createCollection, generateImage, signUp, startImagedoc, storedFiles, upload } from '../imagedoc/imagedoc-helpers';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const QUOTA = 3 * MiB;

describe('security: per-user storage quota and upload rate', () => {
  let ctx: TestContext;
  let api: TestApp;
  let storageDir: string;
  let ana: Caller;
  let collectionId: string;
  const documents = () => ctx.mongo.db(ctx.dbName).collection('documents');
  const usage = async (caller: Caller, app = api) => (await app.http.get('/auth/me').set(caller.auth).expect(200)).body.storage;
  const snapshot = async () => ({ documents: await documents().countDocuments(), files: (await storedFiles(storageDir)).length });

  beforeAll(async () => {
    ctx = await createTestContext('sec-storage-quota');
    ({ api, storageDir } = await startImagedoc(ctx, { STORAGE_QUOTA_BYTES: QUOTA }));
    ana = await signUp(api, 'ana');
    collectionId = (await createCollection(api, ana))._id;
  });
  afterAll(() => ctx.close());

  it('two uploads at once that only one fits: one 201, one 413 naming STORAGE_QUOTA_BYTES; GET /auth/me shows what is used', async () => {
    expect(await usage(ana)).toEqual({ used_bytes: 0, quota_bytes: QUOTA });
    const [first, second] = await Promise.all([noiseImage(820, 820, 'png'), noiseImage(830, 830, 'png')]);
    expect(first.length + second.length).toBeGreaterThan(QUOTA);
    const before = await snapshot();

    const answers = await Promise.all([
      upload(api, ana, collectionId, first, 'first.png', 'First').then((r) => r),
      upload(api, ana, collectionId, second, 'second.png', 'Second').then((r) => r),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 413]);
    const refused = answers.find((a) => a.status === 413)!;
    expect(refused.body.message).toMatch(
      /^storage quota exceeded: \d+ of 3145728 bytes used, this file needs \d+ more \(STORAGE_QUOTA_BYTES\)$/,
    );
    const stored = answers.find((a) => a.status === 201)!.body;
    expect(await usage(ana)).toEqual({ used_bytes: stored.metadata.size, quota_bytes: QUOTA });
    expect(await snapshot()).toEqual({ documents: before.documents + 1, files: before.files + 1 });
    await api.http.delete(`/documents/${stored._id}`).set(ana.auth).expect(204);
  });

  it('counts derived documents, refuses an edit without room, gives bytes back on delete, and leaves a refused upload uncounted', async () => {
    expect((await usage(ana)).used_bytes).toBe(0);
    const source = (await upload(api, ana, collectionId, await noiseImage(500, 500, 'png'), 'noise.png', 'Noise')).body;
    const afterSource = await usage(ana);
    expect(afterSource.used_bytes).toBe(source.metadata.size);

    const refusedUpload = await upload(api, ana, collectionId, Buffer.from('not an image at all'), 'fake.png', 'Fake');
    expect(refusedUpload.status).toBe(415);
    expect(await usage(ana)).toEqual(afterSource);

    const grey = await api.http.post(`/documents/${source._id}/operations`).set(ana.auth).send({ type: 'grayscale' });
    expect([grey.status, grey.body.message]).toEqual([200, undefined]);
    const derived = grey.body.result.document;
    expect((await usage(ana)).used_bytes).toBe(source.metadata.size + derived.metadata.size);

    // An instance whose quota leaves 1 KiB free: a rotated copy no longer fits, and nothing is stored.
    const used = (await usage(ana)).used_bytes;
    const full = await startImagedoc(ctx, { STORAGE_DIR: storageDir, STORAGE_QUOTA_BYTES: used + 1024 });
    const before = await snapshot();
    const rotated = await full.api.http
      .post(`/documents/${source._id}/operations`)
      .set(ana.auth)
      .send({ type: 'rotate', params: { angle: 90 } });
    expect([rotated.status, rotated.body.message]).toEqual([413, expect.stringMatching(/\(STORAGE_QUOTA_BYTES\)$/)]);
    expect(await snapshot()).toEqual(before);

    await api.http.delete(`/documents/${derived._id}`).set(ana.auth).expect(204);
    await api.http.delete(`/documents/${source._id}`).set(ana.auth).expect(204);
    expect(await usage(ana)).toEqual({ used_bytes: 0, quota_bytes: QUOTA });
  });

  it('replacing a file counts the new size and releases the old; a replacement without room is refused and the old file stays', async () => {
    const small = await generateImage('SMALL', 'png', 40);
    const doc = (await upload(api, ana, collectionId, small, 'small.png', 'Small')).body;
    const big = await noiseImage(800, 800, 'png');
    const replaced = await api.http.put(`/documents/${doc._id}/file`).set(ana.auth).attach('file', big, 'big.png');
    expect([replaced.status, replaced.body.message]).toEqual([200, undefined]);
    expect((await usage(ana)).used_bytes).toBe(big.length);

    const filler = (await upload(api, ana, collectionId, await noiseImage(500, 500, 'png'), 'filler.png', 'Filler')).body;
    const used = (await usage(ana)).used_bytes;
    const refused = await api.http
      .put(`/documents/${filler._id}/file`)
      .set(ana.auth)
      .attach('file', await noiseImage(700, 700, 'png'), 'x.png');
    expect([refused.status, refused.body.message]).toEqual([413, expect.stringMatching(/\(STORAGE_QUOTA_BYTES\)$/)]);
    expect((await usage(ana)).used_bytes).toBe(used);
    expect((await api.http.get(`/documents/${filler._id}`).set(ana.auth)).body.metadata.size).toBe(filler.metadata.size);

    // Deleting the collection gives every byte back.
    await api.http.delete(`/collections/${collectionId}`).set(ana.auth).expect(204);
    expect((await usage(ana)).used_bytes).toBe(0);
    collectionId = (await createCollection(api, ana))._id;
  });

  it('limits uploads per user and window (429 + Retry-After), per account: another user still uploads', async () => {
    const limited = await startImagedoc(ctx, { STORAGE_DIR: storageDir, RATE_LIMIT_UPLOADS_PER_USER: 2 });
    const bea = await signUp(limited.api, 'bea');
    const beaCollection = (await createCollection(limited.api, bea))._id;
    const image = await generateImage('RATE', 'png', 80);
    for (let n = 0; n < 2; n++) expect((await upload(limited.api, ana, collectionId, image, 'r.png', `R${n}`)).status).toBe(201);
    const before = await snapshot();
    const third = await upload(limited.api, ana, collectionId, image, 'r.png', 'R2');
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(before);
    expect((await upload(limited.api, bea, beaCollection, image, 'b.png', 'Bea')).status).toBe(201);
  });
});
