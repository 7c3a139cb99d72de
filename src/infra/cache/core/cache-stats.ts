import { baseNamespace } from './cache-keys';

export type CacheTier = 'l1' | 'l2';

interface NamespaceCounters {
  l1Hits: number;
  l2Hits: number;
  misses: number;
  /** Expired copies served because the source failed (also counted as misses). */
  staleServed: number;
  /** Values found in Redis under our key names that this deployment did not write (also counted as misses). */
  foreign: number;
}

/** Plain counters on the hot path; /cache/stats and /metrics read them. */
export class CacheStats {
  private readonly namespaces = new Map<string, NamespaceCounters>();

  hit(namespace: string, tier: CacheTier): void {
    const counters = this.counters(namespace);
    if (tier === 'l1') counters.l1Hits++;
    else counters.l2Hits++;
  }

  miss(namespace: string): void {
    this.counters(namespace).misses++;
  }

  foreign(namespace: string): void {
    this.counters(namespace).foreign++;
  }

  stale(namespace: string): void {
    this.counters(namespace).staleServed++;
  }

  entries(): [string, NamespaceCounters][] {
    return [...this.namespaces.entries()];
  }

  /** Per-caller namespaces (`<ns>.<scope>`) count under their base, so the map stays small. */
  private counters(namespace: string): NamespaceCounters {
    const base = baseNamespace(namespace);
    let counters = this.namespaces.get(base);
    if (!counters) this.namespaces.set(base, (counters = { l1Hits: 0, l2Hits: 0, misses: 0, staleServed: 0, foreign: 0 }));
    return counters;
  }
}

export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}
