import { HeavyWork } from '../../src/imagedoc/heavy-work/heavy-work.service';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { contentBombPdf, denseTextPng, noiseImage, objectStreamBombPdf } from '../../bench/lib/hostile-files';
import {
  Caller,
  createCollection,
  generateImage,
  generatePdf,
  signUp,
  startImagedoc,
  storedFiles,
  upload,
} from '../imagedoc/imagedoc-helpers';

jest.setTimeout(240_000);

const MiB = 1024 * 1024;
/** What the API process may grow by while any heavy job runs (docs/limits.md): the job's input and output, not its work. */
const API_RSS_BOUND_MIB = 100;

/** Runs `work` while sampling this process's RSS; returns its result, the time it took and the RSS growth over `baseline`. */
async function measured<T>(work: Promise<T>, baseline = process.memoryUsage.rss()) {
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const started = performance.now();
  try {
    const result = await work;
    return { result, ms: performance.now() - started, rssGrowthMiB: (Math.max(peak, process.memoryUsage.rss()) - baseline) / 1024 / 1024 };
  } finally {
    clearInterval(sampler);
  }
}

/*
 * The hostile files of the attack round (issue #20), built here, against real worker processes.
 * The API runs in this test process, so this process's RSS is the API's.
 */
describe('security: heavy work runs isolated, bounded and fair', () => {
  let ctx: TestContext;
  let api: TestApp;
  let storageDir: string;
  let ana: Caller;
  let bob: Caller;
  let anaCollection: string;
  let bobCollection: string;
  const documents = () => ctx.mongo.db(ctx.dbName).collection('documents');
  const run = (app: TestApp, caller: Caller, id: string, type: string, params?: object) =>
    app.http
      .post(`/documents/${id}/operations`)
      .set(caller.auth)
      .send(params ? { type, params } : { type });

  beforeAll(async () => {
    ctx = await createTestContext('sec-heavy-work');
    ({ api, storageDir } = await startImagedoc(ctx));
    [ana, bob] = await Promise.all([signUp(api, 'ana'), signUp(api, 'bob')]);
    anaCollection = (await createCollection(api, ana))._id;
    bobCollection = (await createCollection(api, bob))._id;
    // Warm the worker processes and this process's lazy code paths, so baselines are not start-up costs.
    const warm = (await upload(api, ana, anaCollection, await generatePdf('Warm', 'ana', ['warm']), 'w.pdf', 'Warm')).body;
    expect((await run(api, ana, warm._id, 'extract_text')).status).toBe(200);
  });
  afterAll(() => ctx.close());

  describe('a PDF whose content stream inflates to 400 MiB (398 KiB on disk, one page, valid xref)', () => {
    let bombId: string;

    beforeAll(async () => {
      const bomb = await contentBombPdf(400 * MiB);
      expect(bomb.length).toBeLessThan(450 * 1024);
      // Stored by an instance with a lenient inflate limit: a document from before the limit was set.
      const lenient = await startImagedoc(ctx, { STORAGE_DIR: storageDir, PDF_MAX_INFLATED_BYTES: 1024 * MiB });
      const stored = await upload(lenient.api, ana, anaCollection, bomb, 'bomb.pdf', 'Bomb');
      expect([stored.status, stored.body.metadata?.page_count]).toEqual([201, 1]);
      bombId = stored.body._id;
    });

    it('extract_text is refused with 413 naming PDF_MAX_INFLATED_BYTES, quickly, and the API process does not grow', async () => {
      const { result, ms, rssGrowthMiB } = await measured(run(api, ana, bombId, 'extract_text'));
      expect([result.status, result.body.message]).toEqual([
        413,
        expect.stringMatching(/inflate to more than 134217728 bytes \(PDF_MAX_INFLATED_BYTES\)/),
      ]);
      expect(ms).toBeLessThan(15_000);
      expect(rssGrowthMiB).toBeLessThan(API_RSS_BOUND_MIB);
    });

    it("past the inflate limit, the memory limit still holds: the worker is killed (413 naming HEAVY_WORK_MAX_RSS_MB), its memory is not the API's, and the next job runs", async () => {
      const lenient = await startImagedoc(ctx, { STORAGE_DIR: storageDir, PDF_MAX_INFLATED_BYTES: 1024 * MiB, HEAVY_WORK_MAX_RSS_MB: 300 });
      const { result, rssGrowthMiB } = await measured(run(lenient.api, ana, bombId, 'extract_text'));
      expect([result.status, result.body.message]).toEqual([
        413,
        'reading the PDF needed more than 300 MiB of memory and was stopped (HEAVY_WORK_MAX_RSS_MB=300)',
      ]);
      expect(rssGrowthMiB).toBeLessThan(API_RSS_BOUND_MIB);
      const fine = (await upload(lenient.api, ana, anaCollection, await generatePdf('Fine', 'ana', ['Still works.']), 'f.pdf', 'Fine'))
        .body;
      const after = await run(lenient.api, ana, fine._id, 'extract_text');
      expect([after.status, after.body.result?.text]).toEqual([200, 'Fine\nStill works.']);
    });
  });

  it("while one user uploads a PDF whose catalog sits behind 600 MiB of compressed padding, another user's PDF upload succeeds", async () => {
    const bomb = await objectStreamBombPdf(600 * MiB);
    expect(bomb.length).toBeLessThan(700 * 1024);
    // The same file with 1 KiB of padding is a valid one-page PDF: the refusal below is for its size alone.
    const small = await upload(api, ana, anaCollection, await objectStreamBombPdf(1024), 'small.pdf', 'Small');
    expect([small.status, small.body.metadata?.page_count]).toEqual([201, 1]);
    const ordinary = await generatePdf('Minutes', 'bob', ['Meeting notes.', 'Decisions.']);
    const before = { documents: await documents().countDocuments(), files: (await storedFiles(storageDir)).length };

    const { result, rssGrowthMiB } = await measured(
      (async () => {
        let answered = false;
        const hostile = measured(upload(api, ana, anaCollection, bomb, 'bomb.pdf', 'Bomb').finally(() => (answered = true)));
        // Bob asks once ana's file is being read (or already refused: the refusal is quick by design).
        await eventually(() => answered || api.app.get(HeavyWork).statsOf({ userId: ana.id }).running === 1, 10_000, 2);
        const bystander = measured(upload(api, bob, bobCollection, ordinary, 'minutes.pdf', 'Minutes').then((r) => r));
        return { hostile: await hostile, bystander: await bystander };
      })(),
    );
    const { hostile, bystander } = result;
    // Bob's page count runs in the other worker at once: it does not wait for ana's file.
    expect([bystander.result.status, bystander.result.body.metadata?.page_count]).toEqual([201, 2]);
    expect(bystander.ms).toBeLessThan(3_000);
    expect([hostile.result.status, hostile.result.body.message]).toEqual([413, expect.stringMatching(/\(PDF_MAX_INFLATED_BYTES\)$/)]);
    expect(hostile.ms).toBeLessThan(20_000);
    expect(rssGrowthMiB).toBeLessThan(API_RSS_BOUND_MIB);
    expect(await documents().countDocuments()).toBe(before.documents + 1);
    expect((await storedFiles(storageDir)).length).toBe(before.files + 1);
  });

  it("two maximal OCR jobs of one user do not hold another user's edit back: it answers 200 within one job budget + 1 s", async () => {
    const budgetMs = 8_000;
    const fair = await startImagedoc(ctx, { STORAGE_DIR: storageDir, HEAVY_WORK_TIMEOUT_MS: budgetMs, HEAVY_WORK_CPU_MS: 6_000 });
    const dense = await Promise.all([denseTextPng(6000), denseTextPng(5990)]);
    const scans = await Promise.all(dense.map((png, n) => upload(fair.api, ana, anaCollection, png, `scan${n}.png`, `Scan ${n}`)));
    expect(scans.map((s) => [s.status, s.body.metadata?.width])).toEqual([
      [201, 6000],
      [201, 5990],
    ]);
    const small = (await upload(fair.api, bob, bobCollection, await generateImage('BOB', 'png', 200), 'bob.png', 'Bob')).body;
    const heavy = fair.api.app.get(HeavyWork);

    const { result, rssGrowthMiB } = await measured(
      (async () => {
        const ocr = scans.map((scan) => run(fair.api, ana, scan.body._id, 'extract_text').then((r) => r));
        // Both of ana's jobs are in the pool (one running, one waiting its turn) before bob asks.
        expect(
          await eventually(() => heavy.statsOf({ userId: ana.id }).running + heavy.statsOf({ userId: ana.id }).queued === 2, 20_000),
        ).toBe(true);
        const edit = await measured(run(fair.api, bob, small._id, 'grayscale'));
        return { edit, ocr: await Promise.all(ocr) };
      })(),
    );
    expect(result.edit.result.status).toBe(200);
    expect(result.edit.ms).toBeLessThan(budgetMs + 1_000);
    // Each OCR job was stopped at its CPU or run-time budget, and said which.
    for (const answer of result.ocr) {
      expect([answer.status, answer.body.message]).toEqual([
        answer.status === 422 ? 422 : 503,
        expect.stringMatching(
          /^text recognition (needed more than 6000 ms of CPU time|did not finish within 8000 ms) and was stopped \(HEAVY_WORK_(CPU|TIMEOUT)_MS=\d+\)$/,
        ),
      ]);
    }
    expect(rssGrowthMiB).toBeLessThan(API_RSS_BOUND_MIB);
  });

  describe('derived documents are bounded like uploads', () => {
    it('a resize to 10000×2500 is refused from its parameters (400 naming IMAGE_MAX_OUTPUT_PIXELS), before any work', async () => {
      const source = (await upload(api, ana, anaCollection, await generateImage('WIDE', 'png', 30, 400, 100), 'wide.png', 'Wide')).body;
      const before = await documents().countDocuments();
      const { result, ms } = await measured(run(api, ana, source._id, 'resize', { width: 10_000 }));
      expect([result.status, result.body.message]).toEqual([
        400,
        'this resize would produce 25000000 pixels; the limit is 16000000 (IMAGE_MAX_OUTPUT_PIXELS)',
      ]);
      expect(ms).toBeLessThan(2_000);
      expect(await documents().countDocuments()).toBe(before);
    });

    it('converting a 3600×3600 noise JPEG to PNG (over 20 MiB) is refused with 413 naming UPLOAD_MAX_BYTES, and nothing is stored', async () => {
      const jpeg = await noiseImage(3600, 3600, 'jpeg', 15);
      expect(jpeg.length).toBeLessThan(4 * MiB);
      const source = (await upload(api, ana, anaCollection, jpeg, 'noise.jpg', 'Noise')).body;
      const before = { documents: await documents().countDocuments(), files: (await storedFiles(storageDir)).length };
      const { result, rssGrowthMiB } = await measured(run(api, ana, source._id, 'convert', { format: 'png' }));
      expect([result.status, result.body.message]).toEqual([
        413,
        expect.stringMatching(/^the result would be \d+ bytes; the limit is 20971520 \(UPLOAD_MAX_BYTES\)$/),
      ]);
      expect(rssGrowthMiB).toBeLessThan(API_RSS_BOUND_MIB);
      expect(await documents().countDocuments()).toBe(before.documents);
      expect((await storedFiles(storageDir)).length).toBe(before.files);
    });
  });
});
