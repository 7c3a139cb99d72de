/**
 * npm run bench:imagedoc — ImageDoc's cached operations and per-user collection list, side by side in one run.
 * Two app processes on the same MongoDB, Redis and storage folder: the default and CACHE_ENABLED=false.
 * Phase 1, sequential (one request at a time): for each operation, N distinct files (unique per run, so
 * nothing is cached before): first call on the cached app (MISS: computes, stores the result), the
 * repeat (HIT), and the same call on the bypassing app (computes every time); mean ms each, after one
 * untimed warm-up call per app and operation.
 * Phase 2, throughput: GET /collections for one user (20 collections), cached vs bypass (autocannon).
 * Env: BENCH_FILES (6 per operation), BENCH_OCR_FILES (3), BENCH_CONNECTIONS (20), BENCH_DURATION (5 s),
 * MONGODB_URI / REDIS_URL (else embedded).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImage, generatePdf } from '../src/imagedoc/seed-files';
import { load, LoadResult, printTable, ratio } from './lib/load';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';
import { json, signUp } from './lib/api-client';

interface Operation {
  name: string;
  type: string;
  params?: object;
  files: (run: string, i: number) => Promise<{ data: Buffer; name: string }>;
  count: number;
}

async function main() {
  const files = Number(process.env.BENCH_FILES ?? 6);
  const ocrFiles = Number(process.env.BENCH_OCR_FILES ?? 3);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
  const durationSeconds = Number(process.env.BENCH_DURATION ?? 5);
  const run = randomBytes(4).toString('hex');
  const storageDir = mkdtempSync(join(tmpdir(), 'bench-imagedoc-'));
  const servers = await startBenchServers();
  const apps: AppProcess[] = [];
  try {
    const base = {
      MONGODB_URI: servers.mongodbUri,
      MONGODB_DB: `bench_imagedoc_${run}`,
      REDIS_URL: servers.redisUrl,
      STORAGE_DIR: storageDir,
      // One secret for both processes, so one token works on each.
      JWT_SECRET: `bench-imagedoc-secret-${run}-0123456789abcdef`,
    };
    const cached = await startAppProcess(base);
    apps.push(cached);
    const bypass = await startAppProcess({ ...base, CACHE_ENABLED: 'false' });
    apps.push(bypass);
    const auth = await signUp(cached.url, `bench_${run}`);
    const collectionIds: string[] = [];
    for (let i = 0; i < 20; i++) collectionIds.push((await json(cached.url, 'POST', '/collections', auth, { title: `Coleção ${i}` }))._id);

    const operations: Operation[] = [
      {
        name: 'pdf_text',
        type: 'extract_text',
        count: files,
        files: async (r, i) => ({ data: await generatePdf(`Report ${r} ${i}`, 'bench', paragraphs(r, i)), name: 'r.pdf' }),
      },
      {
        name: 'resize',
        type: 'resize',
        params: { width: 400 },
        count: files,
        files: async (r, i) => ({ data: await generateImage(`R${r.slice(0, 4)}${i}`, 'jpeg', (i * 37) % 360, 2400, 1600), name: 'p.jpg' }),
      },
      {
        name: 'ocr',
        type: 'extract_text',
        count: ocrFiles,
        files: async (r, i) => ({
          data: await generateImage(`CODE ${r.slice(0, 4).toUpperCase()} ${i}`, 'png', (i * 53) % 360),
          name: 'o.png',
        }),
      },
    ];

    const sequential: Record<string, { miss_ms: number; hit_ms: number; bypass_ms: number }> = {};
    for (const op of operations) {
      const docs: string[] = [];
      for (let i = 0; i < op.count; i++) {
        const file = await op.files(run, i);
        docs.push((await uploadFile(cached.url, auth, collectionIds[0], file.data, file.name))._id);
      }
      const body = { type: op.type, ...(op.params ? { params: op.params } : {}) };
      // One untimed call per app first: worker threads (pdfjs, tesseract) start on first use.
      const warmup = await op.files(run, op.count);
      const warmupId = (await uploadFile(cached.url, auth, collectionIds[0], warmup.data, warmup.name))._id;
      await operation(cached.url, auth, warmupId, body, 'MISS');
      await operation(bypass.url, auth, warmupId, body, 'BYPASS');
      const miss = await timed(docs.map((id) => () => operation(cached.url, auth, id, body, 'MISS')));
      const hit = await timed(docs.map((id) => () => operation(cached.url, auth, id, body, 'HIT')));
      const bypassed = await timed(docs.map((id) => () => operation(bypass.url, auth, id, body, 'BYPASS')));
      sequential[op.name] = { miss_ms: miss, hit_ms: hit, bypass_ms: bypassed };
      process.stderr.write(`${op.name}: ${op.count} files, miss ${miss} ms, hit ${hit} ms, bypass ${bypassed} ms\n`);
    }
    console.table(
      Object.fromEntries(
        Object.entries(sequential).map(([name, s]) => [
          name,
          { 'miss ms': s.miss_ms, 'hit ms': s.hit_ms, 'bypass ms': s.bypass_ms, 'bypass/hit': ratio(s.bypass_ms, s.hit_ms) },
        ]),
      ),
    );

    const headers = { authorization: auth };
    const results: Record<string, LoadResult> = {};
    await operationHeader(cached.url, '/collections', auth, 'MISS');
    for (const [name, url] of [
      ['collections_hot', cached.url],
      ['collections_cold', bypass.url],
    ] as const) {
      results[name] = await load(name, url, '/collections', { connections, durationSeconds, headers });
      if (results[name].non2xx || results[name].errors)
        throw new Error(`${name}: ${results[name].non2xx} non-2xx, ${results[name].errors} errors`);
    }
    console.log(`${connections} connections, ${durationSeconds} s per route`);
    printTable(Object.values(results), results.collections_cold);

    const figures = {
      bench: 'imagedoc',
      mongo: servers.mongoKind,
      files_per_operation: files,
      ocr_files: ocrFiles,
      ...Object.fromEntries(
        Object.entries(sequential).flatMap(([name, s]) => [
          [`${name}_miss_ms`, s.miss_ms],
          [`${name}_hit_ms`, s.hit_ms],
          [`${name}_bypass_ms`, s.bypass_ms],
          [`${name}_bypass_over_hit`, ratio(s.bypass_ms, s.hit_ms)],
        ]),
      ),
      connections,
      duration_s: durationSeconds,
      collections_hot_rps: results.collections_hot.rps,
      collections_cold_rps: results.collections_cold.rps,
      collections_hot_p50_ms: results.collections_hot.p50_ms,
      collections_cold_p50_ms: results.collections_cold.p50_ms,
      collections_hot_over_cold_rps: ratio(results.collections_hot.rps, results.collections_cold.rps),
    };
    console.log(JSON.stringify(figures));
  } finally {
    await Promise.allSettled(apps.map((a) => a.stop()));
    await servers.stop();
    rmSync(storageDir, { recursive: true, force: true });
  }
}

function paragraphs(run: string, i: number): string[] {
  const sentence = `Run ${run} document ${i}: the archive holds letters, photographs and ledgers from the family estate.`;
  return [sentence.repeat(8), sentence.repeat(6), sentence.repeat(4)];
}

async function uploadFile(baseUrl: string, auth: string, collectionId: string, data: Buffer, filename: string): Promise<{ _id: string }> {
  const form = new FormData();
  form.append('title', filename);
  form.append('file', new Blob([new Uint8Array(data)]), filename);
  const res = await fetch(`${baseUrl}/collections/${collectionId}/documents`, {
    method: 'POST',
    headers: { authorization: auth },
    body: form,
  });
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return (await res.json()) as never;
}

async function operation(baseUrl: string, auth: string, id: string, body: object, expected: string) {
  const res = await fetch(`${baseUrl}/documents/${id}/operations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  if (res.status !== 200 || res.headers.get('x-cache') !== expected) {
    throw new Error(`operation on ${id}: status ${res.status}, X-Cache ${res.headers.get('x-cache')} (expected ${expected})`);
  }
}

async function operationHeader(baseUrl: string, path: string, auth: string, expected: string) {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: auth } });
  await res.arrayBuffer();
  if (res.headers.get('x-cache') !== expected) throw new Error(`${path}: X-Cache ${res.headers.get('x-cache')} (expected ${expected})`);
}

/** Mean milliseconds of the calls, run one after another. */
async function timed(calls: (() => Promise<void>)[]): Promise<number> {
  let total = 0;
  for (const call of calls) {
    const started = performance.now();
    await call();
    total += performance.now() - started;
  }
  return Math.round((total / calls.length) * 100) / 100;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
