import { ImagedocSeeder } from '../../src/imagedoc/imagedoc.seeder';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';
import { startImagedoc, storedFiles } from './imagedoc-helpers';

jest.setTimeout(120_000);

describe('imagedoc seeder', () => {
  let ctx: TestContext;
  let api: TestApp;
  let storageDir: string;

  beforeAll(async () => {
    ctx = await createTestContext('imagedoc_seeder');
    ({ api, storageDir } = await startImagedoc(ctx));
  });
  afterAll(() => ctx.close());

  it('creates demo accounts, collections and real files that operations work on; --reset makes it repeatable', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const summary = await api.app.get(ImagedocSeeder).seed({ seed: 7, count: 6 });
    stderr.mockRestore();
    expect(summary.inserted).toEqual({ users: 3, collections: 6, documents: 6 });
    expect(summary.notes?.[0]).toContain('imagedoc-demo-7');
    expect(await storedFiles(storageDir)).toHaveLength(6);

    const login = await api.http.post('/auth/login').send({ username: 'demo_ana', password: 'imagedoc-demo-7' });
    expect(login.status).toBe(200);
    const auth = { Authorization: `Bearer ${login.body.access_token}` };
    const mine = await api.http.get('/collections').set(auth);
    expect(mine.body.total).toBe(2);
    const db = ctx.mongo.db(ctx.dbName);
    const anyPdf = await db.collection('documents').findOne({ 'metadata.mime_type': 'application/pdf' });
    expect(anyPdf?.metadata.page_count).toBeGreaterThanOrEqual(1);
    const manager = await api.http.post('/auth/login').send({ username: 'demo_manager', password: 'imagedoc-demo-7' });
    const text = await api.http
      .post(`/documents/${String(anyPdf!._id)}/operations`)
      .set({ Authorization: `Bearer ${manager.body.access_token}` })
      .send({ type: 'extract_text' });
    expect(text.status).toBe(200);
    expect(text.body.result.text.length).toBeGreaterThan(50);

    const titles = async () => (await db.collection('collections').find().sort({ title: 1 }).toArray()).map((c) => c.title);
    const first = await titles();
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const again = await api.app.get(ImagedocSeeder).seed({ seed: 7, count: 6, reset: true });
    quiet.mockRestore();
    expect(again.inserted).toEqual({ users: 0, collections: 6, documents: 6 });
    expect(await titles()).toEqual(first);
    expect(await storedFiles(storageDir)).toHaveLength(6);
    expect(await db.collection('documents').countDocuments()).toBe(6);
  });
});
