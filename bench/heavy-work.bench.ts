/**
 * npm run bench:heavy-work — the heavy-work limits against the hostile files of issue #20, with the
 * default settings, on an app in its own process (its RSS read from /proc, its workers found as its
 * child processes). Run it alone: `/work/bin/heavy --both npm run bench:heavy-work`.
 * 1. Worker start-up: a fresh worker's first PDF job and first OCR job against warm ones.
 * 2. A PDF whose content stream inflates to 400 MiB: refused by the inflate limit (defaults), and
 *    with PDF_MAX_INFLATED_BYTES raised to 1 GiB (pdfjs really inflates it, in a worker).
 * 3. A bystander's image edits while one user runs two maximal OCR jobs (dense 6000×6000 PNGs).
 * 4. A bystander's PDF upload while one user uploads a PDF whose catalog sits behind 600 MiB.
 * Env: MONGODB_URI / REDIS_URL (else embedded).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImage, generatePdf } from '../src/imagedoc/seed-files';
import { processUsage } from '../src/infra/workers/process-usage';
import { WorkerProcess } from '../src/infra/workers/worker-process';
import { contentBombPdf, denseTextPng, objectStreamBombPdf } from './lib/hostile-files';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';
import { json, signUp } from './lib/api-client';

const MiB = 1024 * 1024;
const WORKER_ENTRY = join(__dirname, '..', 'src', 'imagedoc', 'heavy-work', 'heavy-worker.js');

interface Answer {
  status: number;
  ms: number;
  message?: string;
}

async function main() {
  const run = randomBytes(4).toString('hex');
  const storageDir = mkdtempSync(join(tmpdir(), 'bench-heavy-'));
  const servers = await startBenchServers();
  const apps: AppProcess[] = [];
  const report: Record<string, unknown> = { load_average_at_start: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') };
  try {
    report.startup = await startupCosts();
    const base = {
      MONGODB_URI: servers.mongodbUri,
      MONGODB_DB: `bench_heavy_${run}`,
      REDIS_URL: servers.redisUrl,
      STORAGE_DIR: storageDir,
      JWT_SECRET: `bench-heavy-secret-${run}-0123456789abcdef`,
    };
    const app = await startAppProcess(base);
    apps.push(app);
    const lenient = await startAppProcess({ ...base, PDF_MAX_INFLATED_BYTES: String(1024 * MiB) });
    apps.push(lenient);
    const ana = await signUp(app.url, `ana_${run}`);
    const bob = await signUp(app.url, `bob_${run}`);
    const anaCollection = (await json(app.url, 'POST', '/collections', ana, { title: 'Ana' }))._id;
    const bobCollection = (await json(app.url, 'POST', '/collections', bob, { title: 'Bob' }))._id;
    // Warm both apps' workers, so no figure below includes a worker's start.
    for (const target of [app, lenient]) {
      const warm = await upload(target.url, ana, anaCollection, await generatePdf('Warm', 'bench', ['warm']), 'w.pdf');
      await operation(target.url, ana, warm.id, { type: 'extract_text' });
    }

    const bomb = await contentBombPdf(400 * MiB);
    report.content_bomb_default = await watched(app, () => upload(app.url, ana, anaCollection, bomb, 'bomb.pdf'));
    const stored = await upload(lenient.url, ana, anaCollection, bomb, 'bomb.pdf');
    report.content_bomb_inflate_limit_1GiB = await watched(lenient, () => operation(lenient.url, ana, stored.id, { type: 'extract_text' }));

    report.ocr_bystander = await ocrBystander(app, ana, bob, anaCollection, bobCollection);

    const catalogBomb = await objectStreamBombPdf(600 * MiB);
    const ordinary = await generatePdf('Minutes', 'bob', ['Meeting notes.', 'Decisions.']);
    report.catalog_bomb_upload = await watched(app, async () => {
      const hostile = upload(app.url, ana, anaCollection, catalogBomb, 'bomb.pdf');
      await until(() => workerBusy(app), 10_000);
      const bystander = await upload(app.url, bob, bobCollection, ordinary, 'minutes.pdf');
      return { hostile: await hostile, bystander };
    });
    report.load_average_at_end = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await Promise.allSettled(apps.map((a) => a.stop()));
    await servers.stop();
    rmSync(storageDir, { recursive: true, force: true });
  }
}

/** A fresh worker's first job (start-up included) against the same job on the now warm worker; medians of 5. */
async function startupCosts() {
  const limits = { maxRssBytes: 768 * MiB, cpuMs: 60_000, timeoutMs: 120_000 };
  const pdf = {
    kind: 'pdf',
    data: await generatePdf('T', 'bench', ['text']),
    withText: true,
    maxInflatedBytes: 128 * MiB,
    maxPages: 10,
    maxTextBytes: MiB,
  };
  const ocr = { kind: 'ocr', data: await generateImage('START UP', 'png', 10), maxInputPixels: 40e6, maxOcrPixels: 10e6 };
  const samples: Record<string, number[]> = { pdf_cold: [], pdf_warm: [], ocr_cold: [], ocr_warm: [] };
  for (let n = 0; n < 5; n++) {
    for (const [name, job] of [
      ['pdf', pdf],
      ['ocr', ocr],
    ] as const) {
      const worker = new WorkerProcess({ entry: WORKER_ENTRY, execArgv: [] });
      samples[`${name}_cold`].push(await timed(() => worker.run(job, limits)));
      samples[`${name}_warm`].push(await timed(() => worker.run(job, limits)));
      await worker.kill();
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [`${name}_ms`, median(values)]));
}

/**
 * Two OCR jobs on dense 6000×6000 PNGs by ana (each stopped at its budget), and meanwhile bob's
 * grayscale edits of a small image, one after another, until ana's jobs are answered.
 */
async function ocrBystander(app: AppProcess, ana: string, bob: string, anaCollection: string, bobCollection: string) {
  const scans = [await denseTextPng(6000), await denseTextPng(5990)];
  const stored = await Promise.all(scans.map((png, n) => upload(app.url, ana, anaCollection, png, `scan${n}.png`)));
  const small = await upload(app.url, bob, bobCollection, await generateImage('BOB', 'png', 200), 'bob.png');
  return watched(app, async () => {
    let done = false;
    const ocr = Promise.all(stored.map((scan) => operation(app.url, ana, scan.id, { type: 'extract_text' }))).finally(() => (done = true));
    await until(() => workerBusy(app), 10_000);
    const edits: Answer[] = [];
    for (let n = 0; !done; n++) {
      const answer = await operation(app.url, bob, small.id, { type: 'resize', params: { width: 100 + (n % 500) } });
      edits.push(answer);
    }
    const latencies = edits.map((e) => e.ms).sort((a, b) => a - b);
    return {
      ocr: await ocr,
      bystander_edits: edits.length,
      bystander_statuses: [...new Set(edits.map((e) => e.status))],
      bystander_median_ms: median(latencies),
      bystander_max_ms: Math.round(latencies[latencies.length - 1] ?? 0),
    };
  });
}

/** Runs `work` while sampling the app's RSS and its workers' (child processes') RSS every 20 ms. */
async function watched<T>(app: AppProcess, work: () => Promise<T>) {
  const baseline = processUsage(app.pid)!.rssBytes;
  let apiPeak = baseline;
  let workerPeak = 0;
  const sampler = setInterval(() => {
    apiPeak = Math.max(apiPeak, processUsage(app.pid)?.rssBytes ?? 0);
    for (const child of children(app.pid)) workerPeak = Math.max(workerPeak, processUsage(child)?.rssBytes ?? 0);
  }, 20);
  const started = performance.now();
  try {
    const result = await work();
    return {
      result,
      ms: Math.round(performance.now() - started),
      api_rss_baseline_mib: Math.round(baseline / MiB),
      api_rss_growth_mib: Math.round((apiPeak - baseline) / MiB),
      worker_rss_peak_mib: Math.round(workerPeak / MiB),
    };
  } finally {
    clearInterval(sampler);
  }
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Some worker of the app is using CPU (a job is running). */
const lastCpu = new Map<number, number>();
function workerBusy(app: AppProcess): boolean {
  let busy = false;
  for (const child of children(app.pid)) {
    const cpu = processUsage(child)?.cpuMs ?? 0;
    if (cpu > (lastCpu.get(child) ?? cpu)) busy = true;
    lastCpu.set(child, cpu);
  }
  return busy;
}

async function until(check: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
}

async function upload(baseUrl: string, auth: string, collectionId: string, data: Buffer, filename: string) {
  const form = new FormData();
  form.append('title', filename);
  form.append('file', new Blob([new Uint8Array(data)]), filename);
  const started = performance.now();
  const res = await fetch(`${baseUrl}/collections/${collectionId}/documents`, {
    method: 'POST',
    headers: { authorization: auth },
    body: form,
  });
  const body = (await res.json()) as { _id?: string; message?: string };
  return { status: res.status, ms: Math.round(performance.now() - started), message: body.message, id: String(body._id) };
}

async function operation(baseUrl: string, auth: string, id: string, body: object): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}/documents/${id}/operations`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { message?: string };
  return { status: res.status, ms: Math.round(performance.now() - started), message: answer.message };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
