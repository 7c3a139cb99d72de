import { ObjectId } from 'mongodb';
import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { DocumentsService } from '../../src/imagedoc/documents/documents.service';
import { FileInspector } from '../../src/imagedoc/files/file-inspector';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';
import {
  Caller,
  createCollection,
  downloadFile,
  generateImage,
  generatePdf,
  signUp,
  startImagedoc,
  storedFiles,
  upload,
} from './imagedoc-helpers';

jest.setTimeout(60_000);

const MAX_BYTES = 200_000;
const UUID_PATH = /^[0-9a-f]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('imagedoc: documents (upload, storage, access)', () => {
  let ctx: TestContext;
  let api: TestApp;
  let storageDir: string;
  let ana: Caller;
  let bruno: Caller;
  let manager: Caller;
  let collectionId: string;
  let png: Buffer;
  let pdf: Buffer;

  const counts = async () => ({
    documents: await ctx.mongo.db(ctx.dbName).collection('documents').countDocuments(),
    files: (await storedFiles(storageDir)).length,
  });

  beforeAll(async () => {
    ctx = await createTestContext('imagedoc_documents');
    ({ api, storageDir } = await startImagedoc(ctx, { UPLOAD_MAX_BYTES: MAX_BYTES }));
    [ana, bruno, manager] = await Promise.all([signUp(api, 'ana'), signUp(api, 'bruno'), signUp(api, 'gestor', 'manager')]);
    collectionId = (await createCollection(api, ana, 'Fotos'))._id;
    png = await generateImage('HELLO', 'png', 200, 400, 200);
    pdf = await generatePdf('Relatório', 'ana', ['First page text.', 'Second page text.']);
  });
  afterAll(() => ctx.close());

  it('stores an image with metadata read from its content; the file is named by a generated id', async () => {
    const res = await upload(api, ana, collectionId, png, 'foto.png', 'Foto de família');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: 'Foto de família',
      collection_id: collectionId,
      user_id: ana.id,
      file_url: `/documents/${res.body._id}/file`,
      metadata: {
        author: 'ana',
        mime_type: 'image/png',
        size: png.length,
        sha256: sha256(png),
        width: 400,
        height: 200,
        original_name: 'foto.png',
      },
    });
    expect(res.body.storage_key).toBeUndefined();
    expect(new Date(res.body.metadata.date).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const collection = await api.http.get(`/collections/${collectionId}`).set(ana.auth);
    expect(collection.body.documents).toContain(res.body._id);
    const files = await storedFiles(storageDir);
    expect(files.map((f) => relative(storageDir, f).split(sep).join('/'))).toEqual([expect.stringMatching(UUID_PATH)]);
  });

  it('stores a PDF with its page count, and JPEG/WebP by their content', async () => {
    const res = await upload(api, ana, collectionId, pdf, 'relatorio.pdf', 'Relatório');
    expect(res.status).toBe(201);
    expect(res.body.metadata).toMatchObject({ mime_type: 'application/pdf', page_count: 2, sha256: sha256(pdf) });
    expect(res.body.metadata.width).toBeUndefined();
    // image/jpg is a common misspelling of image/jpeg, not a contradiction.
    const jpeg = await upload(api, ana, collectionId, await generateImage('JPEG', 'jpeg', 20, 300, 100), 'x.jpg', 'JPEG', 'image/jpg');
    expect(jpeg.body.metadata).toMatchObject({ mime_type: 'image/jpeg', width: 300, height: 100 });
    // No extension and a neutral header: the content decides.
    const webp = await upload(
      api,
      ana,
      collectionId,
      await generateImage('WEBP', 'webp', 90, 320, 120),
      'scan',
      'Scan',
      'application/octet-stream',
    );
    expect(webp.body.metadata).toMatchObject({ mime_type: 'image/webp', width: 320, height: 120 });
  });

  it("lists a collection's documents with their metadata, paginated and owner-scoped", async () => {
    const page = await api.http.get(`/collections/${collectionId}/documents?limit=2`).set(ana.auth);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 1, limit: 2, total: 4 });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0].metadata).toMatchObject({ mime_type: 'image/png', original_name: 'foto.png' });
    expect(page.body.items[0].storage_key).toBeUndefined();
    expect((await api.http.get(`/collections/${collectionId}/documents`).set(bruno.auth)).status).toBe(404);
  });

  it('streams the file back with the detected content type, after the same access check', async () => {
    const created = (await upload(api, ana, collectionId, pdf, 'a.pdf', 'Para baixar')).body;
    const res = await downloadFile(api, ana, created._id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Buffer.compare(res.body as Buffer, pdf)).toBe(0);
    expect((await api.http.get(`/documents/${created._id}/file`).set(bruno.auth)).status).toBe(404);
    expect((await api.http.get(`/documents/${created._id}/file`)).status).toBe(401);
    expect((await api.http.get(`/documents/${created._id}/file`).set(manager.auth)).status).toBe(200);
  });

  it("another user's collection and documents are 404 and stay as they were", async () => {
    const doc = (await upload(api, ana, collectionId, png, 'p.png', 'Privado')).body;
    const before = await counts();
    expect((await upload(api, bruno, collectionId, png, 'intruso.png', 'Intruso')).status).toBe(404);
    expect((await api.http.get(`/documents/${doc._id}`).set(bruno.auth)).status).toBe(404);
    expect((await api.http.delete(`/documents/${doc._id}`).set(bruno.auth)).status).toBe(404);
    expect((await api.http.put(`/documents/${doc._id}/file`).set(bruno.auth).attach('file', png, 'p.png')).status).toBe(404);
    expect((await api.http.post(`/documents/${doc._id}/operations`).set(bruno.auth).send({ type: 'grayscale' })).status).toBe(404);
    expect(await counts()).toEqual(before);
    expect((await api.http.get(`/documents/${doc._id}`).set(ana.auth)).status).toBe(200);
    expect((await api.http.get(`/documents/${new ObjectId()}`).set(ana.auth)).status).toBe(404);
    expect((await api.http.get('/documents/..%2F..%2Fetc%2Fpasswd').set(ana.auth)).status).toBe(400);
  });

  describe('rejected uploads change nothing', () => {
    let before: { documents: number; files: number };
    beforeEach(async () => {
      before = await counts();
    });
    afterEach(async () => {
      expect(await counts()).toEqual(before);
    });

    it('413 beyond UPLOAD_MAX_BYTES', async () => {
      const big = await generateImage('BIG', 'png', 10, 2000, 2000);
      const noisy = Buffer.concat([big, Buffer.alloc(MAX_BYTES, 7)]);
      const res = await upload(api, ana, collectionId, noisy, 'big.png', 'Grande');
      expect(res.status).toBe(413);
      expect(res.body.message).toMatch(/limit/);
    });

    it('415 for a text file, even with a PNG header and a .png name', async () => {
      const text = Buffer.from('just some text, not an image\n'.repeat(20));
      for (const [name, type] of [
        ['notes.txt', 'text/plain'],
        ['notes.png', 'image/png'],
        ['notes', undefined],
      ] as const) {
        const res = await upload(api, ana, collectionId, text, name, 'Texto', type);
        expect(res.status).toBe(415);
      }
    });

    it('415 for a PDF named .png, and for a PNG declared as a PDF', async () => {
      const pdfAsPng = await upload(api, ana, collectionId, pdf, 'photo.png', 'Disfarçado', 'application/octet-stream');
      expect(pdfAsPng.status).toBe(415);
      expect(pdfAsPng.body.message).toMatch(/\.png.*application\/pdf/);
      // supertest derives the part's header from the name: image/png here, also refused.
      expect((await upload(api, ana, collectionId, pdf, 'photo.png', 'Disfarçado')).status).toBe(415);
      expect((await upload(api, ana, collectionId, png, 'x', 'Disfarçado', 'application/pdf')).status).toBe(415);
    });

    it('415 for unsupported formats and for damaged files with a valid signature', async () => {
      const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
      expect((await upload(api, ana, collectionId, gif, 'a.gif', 'GIF')).status).toBe(415);
      const brokenPng = Buffer.concat([png.subarray(0, 16), Buffer.alloc(200, 1)]);
      expect((await upload(api, ana, collectionId, brokenPng, 'b.png', 'Quebrado')).status).toBe(415);
      const brokenPdf = Buffer.from('%PDF-1.7\n' + 'garbage '.repeat(50));
      expect((await upload(api, ana, collectionId, brokenPdf, 'b.pdf', 'Quebrado')).status).toBe(415);
    });

    it('400 for a missing file or title, unknown fields, and an over-long title; 415 for a JSON body', async () => {
      const noFile = await api.http.post(`/collections/${collectionId}/documents`).set(ana.auth).field('title', 'Sem arquivo');
      expect(noFile.status).toBe(400);
      expect((await api.http.post(`/collections/${collectionId}/documents`).set(ana.auth).attach('file', png, 'a.png')).status).toBe(400);
      const extra = await api.http
        .post(`/collections/${collectionId}/documents`)
        .set(ana.auth)
        .field('title', 'x')
        .field('user_id', bruno.id)
        .attach('file', png, 'a.png');
      expect(extra.status).toBe(400);
      expect((await upload(api, ana, collectionId, png, 'a.png', 'x'.repeat(201))).status).toBe(400);
      const json = await api.http.post(`/collections/${collectionId}/documents`).set(ana.auth).send({ title: 'x', file: 'abc' });
      expect(json.status).toBe(415);
    });

    it('a failure after the file was written removes the file again (collection gone meanwhile)', async () => {
      const documents = api.app.get(DocumentsService);
      const facts = await api.app.get(FileInspector).inspect(png, { userId: ana.id });
      const vanished = { _id: new ObjectId() as never, user_id: new ObjectId(ana.id) as never };
      await expect(documents.store(vanished, { username: 'ana' }, 'Órfão', png, facts)).rejects.toThrow(/not found/);
    });
  });

  it('path traversal in the file name or title has no effect on where the file goes', async () => {
    const before = await storedFiles(storageDir);
    const res = await upload(api, ana, collectionId, png, '../../../../tmp/evil.png', '../../etc/passwd');
    expect(res.status).toBe(201);
    expect(res.body.title).toBe('../../etc/passwd');
    expect(res.body.metadata.original_name).toBe('evil.png');
    const after = await storedFiles(storageDir);
    const added = after.filter((f) => !before.includes(f)).map((f) => relative(storageDir, f).split(sep).join('/'));
    expect(added).toEqual([expect.stringMatching(UUID_PATH)]);
    const windows = await upload(api, ana, collectionId, png, '..\\..\\win.png', 'Janela');
    expect(windows.body.metadata.original_name).toBe('win.png');
  });

  it('deleting a document removes its record, its file and its place in the collection', async () => {
    const doc = (await upload(api, ana, collectionId, await generateImage('BYE', 'png', 300, 200, 100), 'bye.png', 'Adeus')).body;
    const before = await counts();
    expect((await api.http.delete(`/documents/${doc._id}`).set(ana.auth)).status).toBe(204);
    expect(await counts()).toEqual({ documents: before.documents - 1, files: before.files - 1 });
    expect((await api.http.get(`/documents/${doc._id}`).set(ana.auth)).status).toBe(404);
    expect((await api.http.get(`/collections/${collectionId}`).set(ana.auth)).body.documents).not.toContain(doc._id);
  });

  it('replacing the file keeps the document, updates its metadata and removes the old file', async () => {
    const doc = (await upload(api, ana, collectionId, png, 'v1.png', 'Versões')).body;
    const before = await counts();
    const next = await generateImage('V2', 'jpeg', 120, 640, 480);
    const res = await api.http.put(`/documents/${doc._id}/file`).set(ana.auth).attach('file', next, 'v2.jpg');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      _id: doc._id,
      title: 'Versões',
      metadata: { mime_type: 'image/jpeg', sha256: sha256(next), width: 640 },
    });
    expect(await counts()).toEqual(before);
    expect((await api.http.put(`/documents/${doc._id}/file`).set(ana.auth).attach('file', Buffer.from('text'), 'v3.png')).status).toBe(415);
    expect((await api.http.get(`/documents/${doc._id}`).set(ana.auth)).body.metadata.sha256).toBe(sha256(next));
  });

  it('deleting a collection removes its documents and their files', async () => {
    const other = await createCollection(api, ana, 'Temporária');
    await upload(api, ana, other._id, png, 'a.png', 'A');
    await upload(api, ana, other._id, pdf, 'b.pdf', 'B');
    const before = await counts();
    expect((await api.http.delete(`/collections/${other._id}`).set(ana.auth)).status).toBe(204);
    expect(await counts()).toEqual({ documents: before.documents - 2, files: before.files - 2 });
  });
});
