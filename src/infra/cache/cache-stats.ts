import { baseNamespace } from './cache-keys';

export type CacheTier = 'l1' | 'l2';

interface NamespaceCounters {
  l1Hits: number;
  l2Hits: number;
  misses: number;
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

  entries(): [string, NamespaceCounters][] {
    return [...this.namespaces.entries()].filter(([namespace]) => !namespace.includes('.'));
  }

  reset(): void {
    this.namespaces.clear();
  }

  private counters(namespace: string): NamespaceCounters {
    let counters = this.namespaces.get(namespace);
    if (!counters) {
      // Per-caller namespaces count under their base so the label set stays small.
      const base = baseNamespace(namespace);
      counters = this.namespaces.get(base) ?? { l1Hits: 0, l2Hits: 0, misses: 0 };
      this.namespaces.set(base, counters);
      if (base !== namespace) this.namespaces.set(namespace, counters);
    }
    return counters;
  }
}

export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000;
}
