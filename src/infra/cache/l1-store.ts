import { LRUCache } from 'lru-cache';
import { cacheKeys } from './cache-keys';

export interface L1Entry {
  body: Buffer;
  namespace: string;
}

/**
 * The in-process tier: bounded by entries and bytes (LRU eviction), its own TTL.
 * Each namespace has a local generation, bumped on every invalidation, so a fill that
 * started before an invalidation is discarded instead of resurrecting old data.
 */
export class L1Store {
  private readonly lru: LRUCache<string, L1Entry>;
  private readonly generations = new Map<string, number>();
  /** Bumped by clear(): moves every namespace's generation at once, including ones never seen. */
  private epoch = 0;
  /** List keys per namespace, so invalidating a namespace's lists is not a scan of the whole tier. */
  private readonly listKeys = new Map<string, Set<string>>();

  constructor(options: { maxEntries: number; maxBytes: number }) {
    this.lru = new LRUCache<string, L1Entry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (entry, key) => entry.body.length + key.length,
      ttlAutopurge: false,
      allowStale: false,
      dispose: (entry, key) => {
        const keys = this.listKeys.get(entry.namespace);
        if (keys?.delete(key) && keys.size === 0) this.listKeys.delete(entry.namespace);
      },
    });
  }

  get(key: string): L1Entry | undefined {
    return this.lru.get(key);
  }

  /** Only ever grows (both terms only grow), so any bump makes earlier readings stale. */
  generation(namespace: string): number {
    return this.epoch + (this.generations.get(namespace) ?? 0);
  }

  private bump(namespace: string): void {
    this.generations.set(namespace, (this.generations.get(namespace) ?? 0) + 1);
  }

  /** Stores only if no invalidation of the namespace happened since `generation` was read. */
  set(key: string, entry: L1Entry, ttlMs: number, generation: number, isList: boolean): boolean {
    if (this.generation(entry.namespace) !== generation || ttlMs <= 0) return false;
    this.lru.set(key, entry, { ttl: ttlMs });
    if (isList && this.lru.has(key)) {
      let keys = this.listKeys.get(entry.namespace);
      if (!keys) this.listKeys.set(entry.namespace, (keys = new Set()));
      keys.add(key);
    }
    return true;
  }

  /** Drops the given id keys and every list of the namespace. */
  invalidate(namespace: string, idKeys: string[]): void {
    this.bump(namespace);
    for (const key of idKeys) this.lru.delete(key);
    for (const key of [...(this.listKeys.get(namespace) ?? [])]) this.lru.delete(key);
  }

  delete(key: string): void {
    this.bump(cacheKeys.namespaceOf(key));
    this.lru.delete(key);
  }

  /** Empties the tier (or one key prefix); every namespace's fills in flight are discarded. */
  clear(prefix = ''): number {
    let removed = 0;
    for (const key of [...this.lru.keys()]) {
      if (key.startsWith(prefix)) {
        this.lru.delete(key);
        removed++;
      }
    }
    this.epoch++;
    return removed;
  }

  keys(): string[] {
    return [...this.lru.keys()];
  }

  remainingTtlMs(key: string): number {
    return this.lru.getRemainingTTL(key);
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
