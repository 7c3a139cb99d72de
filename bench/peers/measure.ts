import { readFileSync } from 'node:fs';
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

/** Resident set size of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** RSS growth per entry after filling `paths` (each a distinct cache key) through HTTP. */
export async function memoryPerEntry(pid: number, baseUrl: string, paths: string[]): Promise<number> {
  await fetch(`${baseUrl}/health`);
  const before = rssBytes(pid);
  for (const path of paths) await timed(`${baseUrl}${path}`);
  return Math.round((rssBytes(pid) - before) / paths.length);
}
