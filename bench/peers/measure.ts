import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface Latency {
  p50_ms: number;
  p99_ms: number;
}

export function percentiles(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
  return { p50_ms: at(0.5), p99_ms: at(0.99) };
}

/** One request, timed from send to the last body byte; throws on a non-2xx. */
export async function timed(url: string, init?: RequestInit): Promise<number> {
  const start = performance.now();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  const ms = performance.now() - start;
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status}`);
  return ms;
}

/** A server in the cost phase: its invalidation, its read (a miss after an invalidation), its write. */
export interface CostTarget {
  name: string;
  invalidate(): Promise<number>;
  read(): Promise<number>;
  write(i: number): Promise<number>;
}

export interface Costs {
  miss: Latency;
  invalidation: Latency;
  write: Latency;
}

/**
 * Sequential trials, the servers taking turns in blocks of `block` (the order reversed every other
 * round), so a burst of load elsewhere, or MongoDB warming up (the stand-in is a JVM, and its JIT
 * takes a few hundred queries), hits all of them alike; measured one after the other, the first
 * server paid for warming MongoDB up for the rest. First "invalidate, then read" (the invalidation's
 * latency and the miss that follows it: lookup, MongoDB, serialization, store), then writes. The
 * first `warmup` trials of each are not recorded.
 */
export async function interleavedCosts(targets: CostTarget[], trials: number, warmup: number, block = 10): Promise<Record<string, Costs>> {
  const samples = new Map(targets.map((t) => [t.name, { miss: [] as number[], invalidation: [] as number[], write: [] as number[] }]));
  const turns = async (trial: (target: CostTarget, i: number, recorded: boolean) => Promise<void>) => {
    for (let done = 0, round = 0; done < warmup + trials; done += block, round++) {
      for (const target of round % 2 ? [...targets].reverse() : targets) {
        for (let i = done; i < Math.min(done + block, warmup + trials); i++) await trial(target, i, i >= warmup);
      }
    }
  };
  await turns(async (target, _i, recorded) => {
    const invalidation = await target.invalidate();
    const miss = await target.read();
    if (!recorded) return;
    samples.get(target.name)!.invalidation.push(invalidation);
    samples.get(target.name)!.miss.push(miss);
  });
  await turns(async (target, i, recorded) => {
    const write = await target.write(i);
    if (recorded) samples.get(target.name)!.write.push(write);
  });
  return Object.fromEntries(
    [...samples].map(([name, s]) => [
      name,
      { miss: percentiles(s.miss), invalidation: percentiles(s.invalidation), write: percentiles(s.write) },
    ]),
  );
}

/** Environment that preloads the memory probe into a server started with it. */
export function memoryProbeEnv(file: string): Record<string, string> {
  const probe = join(__dirname, 'memory-probe.js');
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc --require ${probe}`.trim(), MEMORY_PROBE_FILE: file };
}

/** Live JS heap plus Buffers/ArrayBuffers of a probed process, after a full garbage collection. */
export async function liveBytes(pid: number, file: string): Promise<number> {
  const asked = Date.now();
  process.kill(pid, 'SIGUSR2');
  const deadline = asked + 10_000;
  for (;;) {
    try {
      const usage = JSON.parse(readFileSync(file, 'utf8')) as { at: number; heapUsed: number; external: number };
      if (usage.at >= asked) return usage.heapUsed + usage.external;
    } catch {
      // not written yet
    }
    if (Date.now() > deadline) throw new Error(`process ${pid} did not answer the memory probe`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Live-memory growth per entry after filling `paths` (each a distinct cache key) through HTTP. */
export async function memoryPerEntry(pid: number, file: string, baseUrl: string, paths: string[]): Promise<number> {
  return (await memoryPerEntryByPass(pid, file, baseUrl, paths, 1))[0];
}

/** The same after each of `passes` reads of every path (what a cache keeps on a second read, say). */
export async function memoryPerEntryByPass(pid: number, file: string, baseUrl: string, paths: string[], passes: number): Promise<number[]> {
  const before = await liveBytes(pid, file);
  const perEntry: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    for (const path of paths) await timed(`${baseUrl}${path}`);
    // Background work a read started (our compressed forms) settles before the reading.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    perEntry.push(Math.round(((await liveBytes(pid, file)) - before) / paths.length));
  }
  return perEntry;
}
