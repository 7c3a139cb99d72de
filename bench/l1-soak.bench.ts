/**
 * npm run bench:soak — is L1's byte bound the process's real memory? The app runs in its own
 * process; after a warm-up its RSS is the baseline. Then, for SOAK_SECONDS, a few connections
 * read SOAK_KEYS distinct cached ids round-robin (GET /demo/items/:id, ~1 KB bodies), so L1
 * fills to CACHE_L1_MAX_BYTES and keeps evicting and refilling from Redis. VmRSS
 * (/proc/<pid>/status) is sampled every SOAK_SAMPLE_SECONDS, with L1's counted bytes
 * (/cache/stats) and V8's heap/external split (/metrics).
 * Pass: max RSS <= baseline + CACHE_L1_MAX_BYTES + 64 MiB. Beside it (SOAK_CONTROL=false to skip)
 * runs a twin with L1 off, warmed and read the same way at the same rate (SOAK_RATE requests per
 * second to each; 0: as fast as each can, which gives each a different amount of garbage and so a
 * different heap): the RSS difference is what L1 itself costs.
 * SOAK_PREFILL=redis (default) stores every item's answer in Redis first (the bytes the app
 * would store, pipelined), so the run is L2 hits refilling L1 at full speed; =none starts cold
 * (the first pass is misses, bounded by MongoDB).
 * Env: SOAK_SECONDS (180), SOAK_KEYS (50000), SOAK_CONNECTIONS (4), SOAK_RATE (600), SOAK_SAMPLE_SECONDS (3),
 * SOAK_L1_MAX_BYTES (16 MiB), SOAK_BODY_BYTES (1000), MONGODB_URI / REDIS_URL (else embedded).
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { MongoClient, ObjectId } from 'mongodb';
import { validateEnv } from '../src/config/env';
import { cacheSettingsFrom } from '../src/infra/cache/core/cache.settings';
import { redisKey } from '../src/infra/cache/core/cache-keys';
import { ValueMark } from '../src/infra/cache/core/value-mark';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';
import { liveBytes, memoryProbeEnv } from './peers/measure';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const DB = 'bench_soak';
const MiB = 1024 * 1024;
const SLACK = 64 * MiB;

interface Sample {
  t_s: number;
  rss: number;
  l1_bytes: number;
  l1_entries: number;
  heap_used?: number;
  /** V8's committed heap: what the heap holds of RSS, used or not. */
  heap_total?: number;
  external?: number;
}

async function main() {
  const seconds = Number(process.env.SOAK_SECONDS ?? 180);
  const keyCount = Number(process.env.SOAK_KEYS ?? 50_000);
  const connections = Number(process.env.SOAK_CONNECTIONS ?? 4);
  const sampleSeconds = Number(process.env.SOAK_SAMPLE_SECONDS ?? 3);
  const l1MaxBytes = Number(process.env.SOAK_L1_MAX_BYTES ?? 16 * MiB);
  const bodyBytes = Number(process.env.SOAK_BODY_BYTES ?? 1000);
  const rate = Number(process.env.SOAK_RATE ?? 600);
  const servers = await startBenchServers();
  const mongo = await MongoClient.connect(servers.mongodbUri);
  const prefill = (process.env.SOAK_PREFILL ?? 'redis') === 'redis' ? new Redis(servers.redisUrl) : undefined;
  const apps: AppProcess[] = [];
  const base = {
    MONGODB_URI: servers.mongodbUri,
    MONGODB_DB: DB,
    REDIS_URL: servers.redisUrl,
    DEMO_ROUTES: 'true',
    ADMIN_TOKEN,
    CACHE_FEED_ENABLED: 'false',
    // Named here, so the prefill below writes the keys the apps read (else every first read missed).
    CACHE_KEY_PREFIX: 'none',
  };
  const settings = cacheSettingsFrom(validateEnv(base));
  const mark = new ValueMark(settings.deployment);
  const withControl = process.env.SOAK_CONTROL !== 'false';
  const probeEverySeconds = Number(process.env.SOAK_PROBE_SECONDS ?? 0);
  const probeDir = mkdtempSync(join(tmpdir(), 'soak-probe-'));
  try {
    const items = mongo.db(DB).collection('demo_items');
    await items.deleteMany({});
    const ids: string[] = [];
    for (let start = 0; start < keyCount; start += 5000) {
      const docs = Array.from({ length: Math.min(5000, keyCount - start) }, (_, j) => {
        const i = start + j;
        return { _id: new ObjectId(), name: `item ${i}`, price: i % 100, tags: ['soak'], description: filler(i, bodyBytes) };
      });
      await items.insertMany(docs);
      ids.push(...docs.map((d) => d._id.toHexString()));
      if (prefill) {
        // Under the names and behind the mark the app's own stores use (else every read would be a foreign miss).
        const pipeline = prefill.pipeline();
        for (const d of docs) {
          const key = redisKey(settings.keyPrefix, `demo:id:${d._id.toHexString()}`, false);
          pipeline.set(key, mark.wrap(Buffer.from(JSON.stringify(d))), 'EX', 3600);
        }
        await pipeline.exec();
      }
    }
    // The byte bound, not the entry count, is what this run exercises.
    // The probe (--expose-gc, collects only when asked) reads live memory after a full collection.
    const probeFile = (name: string) => join(probeDir, `${name}.json`);
    const subject = await startAppProcess({
      ...base,
      ...memoryProbeEnv(probeFile('subject')),
      CACHE_L1_MAX_BYTES: String(l1MaxBytes),
      CACHE_L1_MAX_ENTRIES: String(keyCount * 2),
    });
    apps.push(subject);
    // Side by side, same reads: the same app with L1 off. Over 50,000 keys read round-robin L1 barely
    // hits, so both do the same work but L1's stores and evictions; the difference in RSS is what L1 costs.
    const control = withControl
      ? await startAppProcess({ ...base, ...memoryProbeEnv(probeFile('control')), CACHE_L1_ENABLED: 'false' })
      : undefined;
    if (control) apps.push(control);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const paths = ids.map((id) => `/demo/items/${id}`);
    const counters = new Map<AppProcess, number>();
    const run = (app: AppProcess, duration: number, keys: string[]) => {
      counters.set(app, 0);
      return autocannon({
        url: app.url,
        connections,
        duration,
        ...(rate > 0 ? { overallRate: rate } : {}),
        requests: [
          {
            setupRequest: (req) => {
              const n = counters.get(app)!;
              counters.set(app, n + 1);
              return { ...req, path: keys[n % keys.length] };
            },
          },
        ],
      });
    };
    const running = [subject, ...(control ? [control] : [])];

    // Warm-up: JIT, pools, lazy initialisation, over a small set of keys (fits a 16 MiB L1).
    const warmSeconds = Number(process.env.SOAK_WARMUP_SECONDS ?? 20);
    for (const warm of await Promise.all(running.map((app) => run(app, warmSeconds, paths.slice(0, 1000))))) {
      if (warm.non2xx || warm.errors) throw new Error(`warm-up: ${warm.non2xx} non-2xx, ${warm.errors} errors`);
    }
    const baselines = await Promise.all(running.map((app) => sample(app, auth, 0)));
    const probe = () => Promise.all(running.map((app, i) => liveBytes(app.pid, probeFile(i === 0 ? 'subject' : 'control'))));
    const liveBaselines = await probe();
    console.log(
      `MongoDB: ${servers.mongoKind}; ${keyCount} keys, ~${bodyBytes} B bodies, ${connections} connections per app, ` +
        `${rate > 0 ? `${rate} rps each` : 'closed loop'}, ${seconds} s; ` +
        `CACHE_L1_MAX_BYTES ${mb(l1MaxBytes)} MiB; baseline RSS ${baselines.map((b) => mb(b.rss)).join(' / control ')} MiB`,
    );

    const started = Date.now();
    const samples: Sample[][] = running.map(() => []);
    let sampling = false;
    const timer = setInterval(() => {
      if (sampling) return;
      sampling = true;
      const t = (Date.now() - started) / 1000;
      void Promise.all(running.map((app) => sample(app, auth, t)))
        .then((taken) => {
          taken.forEach((s, i) => samples[i].push(s));
          const [s, c] = taken;
          console.log(
            `${s.t_s.toFixed(0).padStart(4)} s  rss ${mb(s.rss)} MiB  l1 ${mb(s.l1_bytes)} MiB (${s.l1_entries})  ` +
              `heap ${mb(s.heap_used ?? 0)}/${mb(s.heap_total ?? 0)}  external ${mb(s.external ?? 0)}` +
              (c
                ? `  | control rss ${mb(c.rss)}  heap ${mb(c.heap_used ?? 0)}/${mb(c.heap_total ?? 0)}  external ${mb(c.external ?? 0)}`
                : ''),
          );
        })
        .finally(() => (sampling = false));
    }, sampleSeconds * 1000);
    // Optional (SOAK_PROBE_SECONDS): live memory during the run; each probe's full collections also
    // shrink the heaps, so the RSS figures of such a run are not the plain run's.
    const probes =
      probeEverySeconds > 0
        ? setInterval(
            () => void probe().then((live) => console.log(`live ${live.map(mb).join(' / control ')} MiB`)),
            probeEverySeconds * 1000,
          )
        : undefined;
    const results = await Promise.all(running.map((app) => run(app, seconds, paths)));
    clearInterval(timer);
    clearInterval(probes);
    while (sampling) await new Promise((r) => setTimeout(r, 50));
    const finals = await Promise.all(running.map((app) => sample(app, auth, (Date.now() - started) / 1000)));
    finals.forEach((f, i) => samples[i].push(f));
    // What each process holds: heap plus external memory after full collections, at the end.
    const liveFinals = await probe();
    const rssAfterGc = running.map((app) => rssOf(app.pid));

    const [baseline, controlBaseline] = baselines;
    const [final, controlFinal] = finals;
    const [result, controlResult] = results;
    const maxOf = (i: number, pick: (s: Sample) => number) => Math.max(...samples[i].map(pick));
    const maxRss = maxOf(0, (s) => s.rss);
    const bound = baseline.rss + l1MaxBytes + SLACK;
    const figures = {
      bench: 'l1-soak',
      mongo: servers.mongoKind,
      prefill: prefill ? 'redis' : 'none',
      seconds,
      keys: keyCount,
      distinct_keys_read: Math.min(counters.get(subject)!, keyCount),
      rate_per_app: rate || undefined,
      requests: result.requests.total,
      rps: Math.round(result.requests.average),
      non2xx: result.non2xx + (controlResult?.non2xx ?? 0),
      errors: result.errors + result.timeouts + (controlResult ? controlResult.errors + controlResult.timeouts : 0),
      body_bytes: bodyBytes,
      l1_max_bytes: l1MaxBytes,
      baseline_rss_mib: mb(baseline.rss),
      max_rss_mib: mb(maxRss),
      final_rss_mib: mb(final.rss),
      max_rss_over_baseline_mib: mb(maxRss - baseline.rss),
      bound_mib: mb(bound),
      within_bound: maxRss <= bound,
      l1_bytes_final_mib: mb(final.l1_bytes),
      l1_bytes_max_mib: mb(maxOf(0, (s) => s.l1_bytes)),
      l1_entries_final: final.l1_entries,
      heap_used_baseline_mib: mb(baseline.heap_used ?? 0),
      heap_used_final_mib: mb(final.heap_used ?? 0),
      heap_total_baseline_mib: mb(baseline.heap_total ?? 0),
      heap_total_max_mib: mb(maxOf(0, (s) => s.heap_total ?? 0)),
      heap_total_final_mib: mb(final.heap_total ?? 0),
      external_baseline_mib: mb(baseline.external ?? 0),
      external_max_mib: mb(maxOf(0, (s) => s.external ?? 0)),
      external_final_mib: mb(final.external ?? 0),
      ...(controlBaseline && controlFinal && controlResult
        ? {
            control_requests: controlResult.requests.total,
            control_baseline_rss_mib: mb(controlBaseline.rss),
            control_max_rss_mib: mb(maxOf(1, (s) => s.rss)),
            control_final_rss_mib: mb(controlFinal.rss),
            control_max_rss_over_baseline_mib: mb(maxOf(1, (s) => s.rss) - controlBaseline.rss),
            control_heap_total_max_mib: mb(maxOf(1, (s) => s.heap_total ?? 0)),
            control_external_max_mib: mb(maxOf(1, (s) => s.external ?? 0)),
            /** What L1 adds to the process: its RSS minus the L1-less twin's, at the end and at their peaks. */
            l1_cost_final_mib: mb(final.rss - controlFinal.rss),
            l1_cost_max_mib: mb(maxRss - maxOf(1, (s) => s.rss)),
            /** L1's cost against the twin over what L1 counts (at the end): 1 means it costs what it counts. */
            l1_rss_cost_over_counted: round2((final.rss - controlFinal.rss) / Math.max(1, final.l1_bytes)),
            /**
             * The same from each side's own baseline (after the warm-up): the two processes' RSS
             * differ before L1 holds anything (heap sizing, malloc arenas), by tens of MiB.
             */
            l1_rss_growth_cost_over_counted: round2(
              (final.rss - baseline.rss - (controlFinal.rss - controlBaseline.rss)) / Math.max(1, final.l1_bytes - baseline.l1_bytes),
            ),
            l1_rss_cost_max_over_counted_max: round2(
              (maxRss - maxOf(1, (s) => s.rss)) /
                Math.max(
                  1,
                  maxOf(0, (s) => s.l1_bytes),
                ),
            ),
            /**
             * The same with V8's heap sizing taken out: growth of live memory (heap used + external,
             * after full collections) over the twin's, per counted byte; and RSS right after those.
             */
            l1_live_growth_cost_over_counted: round2(
              (liveFinals[0] - liveBaselines[0] - (liveFinals[1] - liveBaselines[1])) / Math.max(1, final.l1_bytes - baseline.l1_bytes),
            ),
            l1_rss_after_gc_cost_over_counted: round2((rssAfterGc[0] - rssAfterGc[1]) / Math.max(1, final.l1_bytes)),
            within_l1_bound_side_by_side: maxRss - maxOf(1, (s) => s.rss) <= l1MaxBytes + SLACK,
          }
        : {}),
      samples: samples[0].length,
      /** Least-squares slope of RSS over the last 5 minutes of the run (its second half when shorter). */
      rss_slope_mib_per_min: round2(slopePerMinute(samples[0].filter((s) => s.t_s >= Math.max(seconds / 2, seconds - 300)))),
      control_rss_slope_mib_per_min:
        samples[1] && round2(slopePerMinute(samples[1].filter((s) => s.t_s >= Math.max(seconds / 2, seconds - 300)))),
    };
    console.log(JSON.stringify(figures));
  } finally {
    await Promise.allSettled(apps.map((a) => a.stop()));
    prefill?.disconnect();
    rmSync(probeDir, { recursive: true, force: true });
    await mongo.close();
    await servers.stop();
  }
  process.exit(0);
}

function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
}

async function sample(app: AppProcess, auth: Record<string, string>, t: number): Promise<Sample> {
  const rss = rssOf(app.pid);
  const [stats, metrics] = await Promise.all([
    fetch(`${app.url}/cache/stats`, { headers: auth }).then((r) => r.json() as Promise<{ l1: { bytes: number; entries: number } }>),
    fetch(`${app.url}/metrics`, { headers: auth }).then((r) => r.text()),
  ]);
  const gauge = (name: string) => {
    const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1];
    return value === undefined ? undefined : Number(value);
  };
  return {
    t_s: Math.round(t * 10) / 10,
    rss,
    l1_bytes: stats.l1.bytes,
    l1_entries: stats.l1.entries,
    heap_used: gauge('nodejs_heap_size_used_bytes'),
    heap_total: gauge('nodejs_heap_size_total_bytes'),
    external: gauge('nodejs_external_memory_bytes'),
  };
}

/** Deterministic text of about `bytes` characters, different per item (no shared strings). */
function filler(i: number, bytes: number): string {
  const word = `item-${i}-`;
  return word.repeat(Math.ceil(bytes / word.length)).slice(0, bytes);
}

function mb(bytes: number): number {
  return Math.round((bytes / MiB) * 10) / 10;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** MiB per minute of RSS, by least squares over the samples. */
function slopePerMinute(points: Sample[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const meanT = points.reduce((sum, p) => sum + p.t_s, 0) / n;
  const meanR = points.reduce((sum, p) => sum + p.rss, 0) / n;
  const covariance = points.reduce((sum, p) => sum + (p.t_s - meanT) * (p.rss - meanR), 0);
  const variance = points.reduce((sum, p) => sum + (p.t_s - meanT) ** 2, 0);
  return variance === 0 ? 0 : ((covariance / variance) * 60) / MiB;
}
