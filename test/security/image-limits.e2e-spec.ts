import { deflateSync } from 'node:zlib';
import { crc32 } from 'node:zlib';
import { HeavyWork } from '../../src/imagedoc/heavy-work/heavy-work.service';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { Caller, createCollection, generateImage, signUp, startImagedoc, storedFiles, upload } from '../imagedoc/imagedoc-helpers';

jest.setTimeout(120_000);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A small PNG whose header declares `width`×`height` grey pixels (its data covers a few rows only). */
function pngBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  const rows = deflateSync(Buffer.alloc((width + 1) * 16), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('security: images and PDFs are judged from their headers before decoding; heavy work is bounded', () => {
  let ctx: TestContext;
  let api: TestApp;
  let storageDir: string;
  let ana: Caller;
  let collectionId: string;
  const documents = () => ctx.mongo.db(ctx.dbName).collection('documents');

  beforeAll(async () => {
    ctx = await createTestContext('sec-images');
    ({ api, storageDir } = await startImagedoc(ctx));
    ana = await signUp(api, 'ana');
    collectionId = (await createCollection(api, ana))._id;
  });
  afterAll(() => ctx.close());

  it('refuses a small PNG declaring 16000×16000 pixels with 413, and stores nothing', async () => {
    const bomb = pngBomb(16_000, 16_000);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = await documents().countDocuments();
    const filesBefore = await storedFiles(storageDir);
    const res = await upload(api, ana, collectionId, bomb, 'bomb.png', 'Bomb');
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/256000000 pixels; the limit is 40000000/);
    expect(await documents().countDocuments()).toBe(before);
    expect(await storedFiles(storageDir)).toEqual(filesBefore);
  });

  it('refuses operations on a stored image over the current limit (413) and edits that would produce too many pixels (400)', async () => {
    const stored = (await upload(api, ana, collectionId, await generateImage('BIG', 'png', 10, 400, 100), 'big.png', 'Big')).body;
    expect(stored.metadata).toMatchObject({ width: 400, height: 100 });
    const before = await documents().countDocuments();

    // The same data, served by an instance whose limit is lower than this image.
    const strict = await ctx.startApp({
      STORAGE_DIR: storageDir,
      JWT_SECRET: 'imagedoc-test-secret-0123456789abcdef',
      IMAGE_MAX_PIXELS: 10_000,
    });
    for (const body of [{ type: 'extract_text' }, { type: 'grayscale' }]) {
      const res = await strict.http.post(`/documents/${stored._id}/operations`).set(ana.auth).send(body);
      expect([body.type, res.status]).toEqual([body.type, 413]);
    }
    // 400×100 → 'outside' 10000×10000 covers both: 40000×10000 = 400 Mpx, far past IMAGE_MAX_OUTPUT_PIXELS.
    const tooBig = await api.http
      .post(`/documents/${stored._id}/operations`)
      .set(ana.auth)
      .send({ type: 'resize', params: { width: 10_000, height: 10_000, fit: 'outside' } });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.message).toMatch(/would produce 400000000 pixels/);
    expect(await documents().countDocuments()).toBe(before);
    expect(await ctx.redis.keys(`operations.${stored.metadata.sha256}:list:*`)).toEqual([]);
  });

  it('runs at most HEAVY_WORK_CONCURRENCY operations; one more than the queue holds gets 503 with Retry-After at once', async () => {
    const busy = await ctx.startApp({
      STORAGE_DIR: storageDir,
      JWT_SECRET: 'imagedoc-test-secret-0123456789abcdef',
      HEAVY_WORK_CONCURRENCY: 1,
      HEAVY_WORK_QUEUE_LIMIT: 0,
    });
    const first = (await upload(busy, ana, collectionId, await generateImage('ONE', 'png', 100), 'one.png', 'One')).body;
    const second = (await upload(busy, ana, collectionId, await generateImage('TWO', 'png', 200), 'two.png', 'Two')).body;
    const pool = busy.app.get(HeavyWork);
    const running = busy.http
      .post(`/documents/${first._id}/operations`)
      .set(ana.auth)
      .send({ type: 'extract_text' })
      .then((r) => r);
    expect(await eventually(() => pool.stats.running === 1, 10_000, 5)).toBe(true);
    const refused = await busy.http.post(`/documents/${second._id}/operations`).set(ana.auth).send({ type: 'extract_text' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(await ctx.redis.keys(`operations.${second.metadata.sha256}:list:*`)).toEqual([]);
    expect((await running).status).toBe(200);
  });
});
