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

/**
 * Sequential trials of "invalidate, then read": the invalidation's own latency and the miss that
 * follows it (lookup, MongoDB, serialization, store), each as p50/p99.
 */
export async function missAndInvalidation(trials: number, invalidate: () => Promise<number>, read: () => Promise<number>) {
  const invalidations: number[] = [];
  const misses: number[] = [];
  for (let i = 0; i < trials; i++) {
    invalidations.push(await invalidate());
    misses.push(await read());
  }
  return { miss: percentiles(misses), invalidation: percentiles(invalidations) };
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
