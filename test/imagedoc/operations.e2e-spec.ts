import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';
import { Caller, createCollection, downloadFile, generateImage, generatePdf, signUp, startImagedoc, upload } from './imagedoc-helpers';

jest.setTimeout(120_000);

interface Doc {
  _id: string;
  collection_id: string;
  metadata: { sha256: string; mime_type: string; width?: number; height?: number; derived_from?: { document_id: string } };
}

/** A LibreTranslate stand-in: POST /translate {q, source, target, format} → {translatedText}. */
function startTranslateServer() {
  const requests: { q: string; source: string; target: string; format: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || req.url !== '/translate') {
        res.statusCode = 404;
        return res.end(JSON.stringify({ error: 'Not Found' }));
      }
      const body = JSON.parse(raw);
      requests.push(body);
      if (body.target === 'xx') {
        res.statusCode = 400;
        return res.end(JSON.stringify({ error: 'xx is not supported' }));
      }
      const dictionary: Record<string, string> = { first: 'primeira', second: 'segunda', page: 'página', text: 'texto' };
      const translatedText = String(body.q).replace(/[A-Za-z]+/g, (w) => dictionary[w.toLowerCase()] ?? w);
      res.end(
        JSON.stringify({ translatedText, ...(body.source === 'auto' ? { detectedLanguage: { language: 'en', confidence: 90 } } : {}) }),
      );
    });
  });
  return new Promise<{ url: string; requests: typeof requests; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

describe('imagedoc: operations (image edits, text extraction, translation), cached by content', () => {
  let ctx: TestContext;
  let api: TestApp;
  let storageDir: string;
  let ana: Caller;
  let bruno: Caller;
  let collectionId: string;
  let image: Doc;
  let pdf: Doc;

  const run = (doc: { _id: string }, type: string, params?: object, caller = ana, app = api) =>
    app.http
      .post(`/documents/${doc._id}/operations`)
      .set(caller.auth)
      .send(params === undefined ? { type } : { type, params });
  const documentCount = () => ctx.mongo.db(ctx.dbName).collection('documents').countDocuments();
  const fileOf = async (doc: { _id: string }) => (await downloadFile(api, ana, doc._id)).body as Buffer;

  beforeAll(async () => {
    ctx = await createTestContext('imagedoc_operations');
    ({ api, storageDir } = await startImagedoc(ctx));
    [ana, bruno] = await Promise.all([signUp(api, 'ana'), signUp(api, 'bruno')]);
    collectionId = (await createCollection(api, ana, 'Operações'))._id;
    image = (await upload(api, ana, collectionId, await generateImage('HELLO OCR', 'png', 50, 800, 300), 'hello.png', 'Hello')).body;
    pdf = (
      await upload(api, ana, collectionId, await generatePdf('Report', 'ana', ['First page text.', 'Second page text.']), 'r.pdf', 'Report')
    ).body;
  });
  afterAll(() => ctx.close());

  it('resize stores a new document in the same collection linked to its source; a repeat is a cache HIT without recomputing', async () => {
    const before = await documentCount();
    const first = await run(image, 'resize', { width: 200 });
    expect(first.status).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const derived: Doc = first.body.result.document;
    expect(derived).toMatchObject({
      collection_id: collectionId,
      metadata: {
        mime_type: 'image/png',
        width: 200,
        height: 75,
        derived_from: { document_id: image._id, sha256: image.metadata.sha256, operation: 'resize' },
      },
    });
    expect((await sharp(await fileOf(derived)).metadata()).width).toBe(200);
    expect(await documentCount()).toBe(before + 1);

    // Same parameters in another spelling (default made explicit): same canonical key.
    const again = await run(image, 'resize', { fit: 'inside', width: 200 });
    expect(again.headers['x-cache']).toBe('HIT');
    expect(again.body.result.document._id).toBe(derived._id);
    expect(await documentCount()).toBe(before + 1);
    const keys = await ctx.redis.keys(`operations.${image.metadata.sha256}:list:resize:*`);
    expect(keys).toHaveLength(1);
  });

  it('rotate, crop, grayscale and convert produce what they say', async () => {
    const rotated: Doc = (await run(image, 'rotate', { angle: 90 })).body.result.document;
    expect(rotated.metadata).toMatchObject({ width: 300, height: 800 });
    const cropped: Doc = (await run(image, 'crop', { left: 10, top: 20, width: 100, height: 50 })).body.result.document;
    expect(cropped.metadata).toMatchObject({ width: 100, height: 50 });
    const gray: Doc = (await run(image, 'grayscale')).body.result.document;
    // Every pixel has r = g = b after grayscale; the coloured source does not.
    const isGray = async (file: Buffer) => {
      const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      for (let i = 0; i < data.length; i += info.channels) if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) return false;
      return true;
    };
    expect(await isGray(await fileOf(image))).toBe(false);
    expect(await isGray(await fileOf(gray))).toBe(true);
    const webp: Doc = (await run(image, 'convert', { format: 'webp', quality: 60 })).body.result.document;
    expect(webp.metadata.mime_type).toBe('image/webp');
    expect((await sharp(await fileOf(webp)).metadata()).format).toBe('webp');
  });

  it('400 for out-of-range or unknown parameters, unknown types, and image edits on a PDF; nothing is created', async () => {
    const before = await documentCount();
    const bad: [string, object | undefined][] = [
      ['resize', { width: 0 }],
      ['resize', { width: 100_000 }],
      ['resize', {}],
      ['resize', { width: 'wide' }],
      ['resize', { width: 100, fit: 'stretch' }],
      ['rotate', { angle: 400 }],
      ['rotate', {}],
      ['crop', { left: 0, top: 0, width: 801, height: 10 }],
      ['crop', { left: -1, top: 0, width: 10, height: 10 }],
      ['convert', { format: 'gif' }],
      ['convert', { format: 'png', quality: 101 }],
      ['grayscale', { strength: 2 }],
      ['resize', { width: 100, $where: 'sleep(1000)' }],
      ['blur', { sigma: 2 }],
      ['translate', { target: '../../etc' }],
    ];
    for (const [type, params] of bad) {
      const res = await run(image, type, params);
      expect([type, params, res.status]).toEqual([type, params, 400]);
    }
    expect((await run(pdf, 'grayscale')).status).toBe(400);
    expect((await api.http.post(`/documents/${image._id}/operations`).set(ana.auth).send({ type: 'grayscale', extra: 1 })).status).toBe(
      400,
    );
    expect(await documentCount()).toBe(before);
  });

  it('extracts the text layer of a PDF, cached', async () => {
    const res = await run(pdf, 'extract_text');
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ method: 'pdf-text-layer', page_count: 2 });
    expect(res.body.result.pages[0].text).toContain('First page text.');
    expect(res.body.result.pages[1].text).toContain('Second page text.');
    expect(res.headers['x-cache']).toBe('MISS');
    expect((await run(pdf, 'extract_text')).headers['x-cache']).toBe('HIT');
  });

  it('reads text in an image with OCR (bundled English model)', async () => {
    const res = await run(image, 'extract_text');
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ method: 'ocr', language: 'eng' });
    expect(res.body.result.text.replace(/\s+/g, ' ')).toContain('HELLO OCR');
  });

  it('translation without TRANSLATE_URL is a 503 that says so', async () => {
    const res = await run(pdf, 'translate', { target: 'pt' });
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/TRANSLATE_URL/);
  });

  describe('with a LibreTranslate-compatible server', () => {
    let server: Awaited<ReturnType<typeof startTranslateServer>>;
    let translating: TestApp;
    beforeAll(async () => {
      server = await startTranslateServer();
      ({ api: translating } = await startImagedoc(ctx, { TRANSLATE_URL: server.url, STORAGE_DIR: storageDir }));
    });
    afterAll(() => server.close());

    it('translates the extracted text; a repeat is a HIT that does not call the server again', async () => {
      const res = await run(pdf, 'translate', { target: 'pt' }, ana, translating);
      expect(res.status).toBe(200);
      expect(res.body.result).toMatchObject({ source_language: 'en', target_language: 'pt', extracted_with: 'pdf-text-layer' });
      expect(res.body.result.text).toContain('primeira página texto');
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]).toMatchObject({ source: 'auto', target: 'pt', format: 'text' });
      expect(server.requests[0].q).toContain('First page text.');

      const again = await run(pdf, 'translate', { source: 'auto', target: 'pt' }, ana, translating);
      expect(again.headers['x-cache']).toBe('HIT');
      expect(again.body).toEqual(res.body);
      expect(server.requests).toHaveLength(1);
    });

    it("the server's refusal is a 400 with its reason; nothing is cached", async () => {
      const res = await run(pdf, 'translate', { target: 'xx' }, ana, translating);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/xx is not supported/);
      expect(await ctx.redis.keys(`operations.${pdf.metadata.sha256}:list:translate:*`)).toHaveLength(1);
    });

    it('with CACHE_ENABLED=false every call computes again (X-Cache: BYPASS)', async () => {
      const { api: bypassing } = await startImagedoc(ctx, { TRANSLATE_URL: server.url, CACHE_ENABLED: 'false', STORAGE_DIR: storageDir });
      const calls = server.requests.length;
      for (let i = 0; i < 2; i++) {
        const res = await run(pdf, 'translate', { target: 'es' }, ana, bypassing);
        expect(res.status).toBe(200);
        expect(res.headers['x-cache']).toBe('BYPASS');
      }
      expect(server.requests.length).toBe(calls + 2);
      expect(await ctx.redis.keys(`operations.${pdf.metadata.sha256}:list:translate:*`)).toHaveLength(1);
    });

    it('another user cannot run operations on the document (404)', async () => {
      expect((await run(pdf, 'translate', { target: 'pt' }, bruno, translating)).status).toBe(404);
    });
  });

  it('deleting a derived document drops the cached edit, so a repeat computes again', async () => {
    const first: Doc = (await run(image, 'resize', { width: 120 })).body.result.document;
    expect((await run(image, 'resize', { width: 120 })).headers['x-cache']).toBe('HIT');
    await api.http.delete(`/documents/${first._id}`).set(ana.auth).expect(204);
    const again = await run(image, 'resize', { width: 120 });
    expect(again.headers['x-cache']).toBe('MISS');
    expect(again.body.result.document._id).not.toBe(first._id);
  });

  it('replacing or deleting the file drops its cached results', async () => {
    const source = (await upload(api, ana, collectionId, await generatePdf('Old', 'ana', ['Old text.']), 'old.pdf', 'Old')).body as Doc;
    await run(source, 'extract_text');
    expect((await run(source, 'extract_text')).headers['x-cache']).toBe('HIT');
    const oldKeys = `operations.${source.metadata.sha256}:list:*`;
    expect(await ctx.redis.keys(oldKeys)).toHaveLength(1);

    const replaced = await api.http
      .put(`/documents/${source._id}/file`)
      .set(ana.auth)
      .attach('file', await generatePdf('New', 'ana', ['New text.']), 'new.pdf');
    expect(replaced.status).toBe(200);
    expect(await ctx.redis.keys(oldKeys)).toHaveLength(0);
    const fresh = await run(source, 'extract_text');
    expect(fresh.headers['x-cache']).toBe('MISS');
    expect(fresh.body.result.text).toContain('New text.');

    const newKeys = `operations.${replaced.body.metadata.sha256}:list:*`;
    expect(await ctx.redis.keys(newKeys)).toHaveLength(1);
    await api.http.delete(`/documents/${source._id}`).set(ana.auth).expect(204);
    expect(await ctx.redis.keys(newKeys)).toHaveLength(0);
  });
});
