import autocannon from 'autocannon';

export interface LoadResult {
  name: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  /** Responses per status code (autocannon counts a 304 as non-2xx). */
  statuses?: Record<string, number>;
}

export interface LoadOptions {
  connections?: number;
  durationSeconds?: number;
  headers?: Record<string, string>;
  /** Different paths per request (e.g. random ids); default: always `path`. */
  paths?: string[];
  /** An unrecorded run first, so JIT warm-up and lazy initialisation do not count (default 1 s). */
  warmupSeconds?: number;
}

/** Runs autocannon against one route; same connections and duration for every route of a run. */
export async function load(name: string, baseUrl: string, path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const paths = options.paths;
  const run = (duration: number) =>
    autocannon({
      url: baseUrl,
      connections: options.connections ?? 50,
      duration,
      headers: options.headers,
      requests: paths ? [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }] : [{ path }],
    });
  const warmupSeconds = options.warmupSeconds ?? 1;
  if (warmupSeconds > 0) await run(warmupSeconds);
  const result = await run(options.durationSeconds ?? 10);
  return {
    name,
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0])),
  };
}

/** A readable table, one row per result, with each rps as a ratio of `baseline`. */
export function printTable(results: LoadResult[], baseline?: LoadResult): void {
  const rows = results.map((r) => ({
    route: r.name,
    rps: r.rps,
    'p50 ms': r.p50_ms,
    'p99 ms': r.p99_ms,
    ...(baseline ? { [`× ${baseline.name}`]: Math.round((r.rps / baseline.rps) * 100) / 100 } : {}),
    'non-2xx': r.non2xx,
    errors: r.errors,
  }));
  console.table(rows);
}

export function ratio(a: number, b: number): number {
  return b === 0 ? 0 : Math.round((a / b) * 100) / 100;
}
