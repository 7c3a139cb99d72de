import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';

/**
 * Watches this process's event loop (the app under test runs in it): a timer due every 5 ms
 * records how late it fires. (perf_hooks.monitorEventLoopDelay does not see a block inside a
 * callback on Node 24, so the lateness is measured directly, as the app's own histogram does.)
 */
export class LoopWatch {
  private maxLateMs = 0;
  private due = performance.now() + 5;
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.maxLateMs = Math.max(this.maxLateMs, now - this.due);
    this.due = now + 5;
  }, 5);

  /**
   * Longest the loop was held since the last call, ms. Waits for two ticks first: a block is
   * recorded by the tick after it, and must be counted in the window it happened in.
   */
  async takeMax(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 12));
    const max = this.maxLateMs;
    this.maxLateMs = 0;
    return max;
  }

  stop() {
    clearInterval(this.timer);
  }
}

/**
 * A bystander in its own process: GET `path` every 50 ms over a kept-alive connection (`{n}` in
 * the path becomes a counter, so each request can be a different one), and on stdin's end print
 * the longest wait and the 99th percentile (an unanswered request counts up to that moment).
 */
const BYSTANDER = `
const http = require('node:http');
const [url, path] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const waits = [];
let failures = 0, pendingSince = 0, stopped = false, n = 0;
function poll() {
  if (stopped) return;
  pendingSince = performance.now();
  const req = http.get(url + path.replace('{n}', String(++n)), { agent }, (res) => {
    res.resume();
    res.on('end', () => {
      waits.push(performance.now() - pendingSince);
      pendingSince = 0;
      if (waits.length === 1) process.stdout.write('ready\\n');
      if (res.statusCode !== 200) failures++;
      setTimeout(poll, 50);
    });
  });
  req.on('error', () => { failures++; pendingSince = 0; setTimeout(poll, 50); });
}
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => {
  stopped = true;
  if (pendingSince) waits.push(performance.now() - pendingSince);
  const sorted = [...waits].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
  process.stdout.write(JSON.stringify({ worstMs: sorted.at(-1), p99Ms: p99, count: waits.length, failures }) + '\\n');
  process.exit(0);
});
poll();
`;

export interface BystanderReport {
  worstMs: number;
  p99Ms: number;
  count: number;
  failures: number;
}

export class Bystander {
  private readonly child: ChildProcess;
  private output = '';

  private readonly answered: Promise<void>;

  private constructor(baseUrl: string, path: string) {
    this.child = spawn(process.execPath, ['-e', BYSTANDER, baseUrl, path], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.answered = new Promise((resolve, reject) => {
      this.child.stdout!.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.startsWith('ready\n')) resolve();
      });
      this.child.once('exit', () => reject(new Error('the bystander exited before its first answer')));
    });
  }

  /** A bystander whose first poll has been answered. */
  static async start(baseUrl: string, path = '/health/live'): Promise<Bystander> {
    const bystander = new Bystander(baseUrl, path);
    await bystander.answered;
    return bystander;
  }

  /** Stops polling; the longest wait seen and how many polls were answered. */
  async stop(): Promise<BystanderReport> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
    return JSON.parse(this.output.slice('ready\n'.length).trim()) as BystanderReport;
  }
}

export interface RawResponse {
  status: number;
  body: Buffer;
}

/** POSTs prepared bytes as JSON over a fresh connection (nothing serialized on the way). */
export function postRaw(
  baseUrl: string,
  path: string,
  body: Buffer,
  headers: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${path} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU time (user + system) this process spent in `run`, ms, with its result. */
export async function cpuOf<T>(run: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(before);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}
