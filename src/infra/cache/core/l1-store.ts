import { LRUCache } from 'lru-cache';
import { cacheKeys } from './cache-keys';
import { compressForms, EncodedForms } from './encodings';
import { entityTag } from './entity-tag';

/** What a caller stores. */
export interface L1Input {
  body: Buffer;
  namespace: string;
  /** When the Redis copy expires (epoch ms), if known: refresh-ahead reads it. */
  l2ExpiresAt?: number;
}

/** What the tier holds: the body and what is derived from it once, when it enters the tier. */
export interface L1Entry extends L1Input, EncodedForms {
  /** Strong entity tag of `body`, computed once at store time. */
  etag: string;
  /** Set once a refresh-ahead of this entry was started or tried: later reads just serve it. */
  refreshStarted?: boolean;
}

interface StoredEntry extends L1Entry {
  /** Served as a hit until then; kept for stale-if-error until the grace runs out too. */
  freshUntil: number;
  storedAt: number;
  /** Its compressed forms were asked for (at most once per entry). */
  compressStarted?: boolean;
}

/**
 * Compressions in flight per process. Each holds an encoder's state (brotli at quality 11: MBs)
 * on zlib's thread pool; unbounded, a stream of new entries (50,000 distinct keys read in turn)
 * queued them faster than the pool ran them, and the process grew by hundreds of MiB. An entry
 * stored while all slots are busy is compressed when it is read again (hot entries get their
 * forms; one-off ones never cost any).
 */
export const COMPRESSIONS_IN_FLIGHT_MAX = 2;

/**
 * The in-process tier: bounded by entries and bytes (LRU eviction), its own TTL. An entry outlives
 * its TTL by `staleGraceMs`, counted in the bounds like any entry, only to answer when the source
 * fails (stale-if-error); invalidations remove it like a fresh one.
 * Each namespace has a local generation, bumped on every invalidation, so a fill that
 * started before an invalidation is discarded instead of resurrecting old data.
 */
export class L1Store {
  private readonly lru: LRUCache<string, StoredEntry>;
  private readonly generations = new Map<string, number>();
  /** Bumped by clear(): moves every namespace's generation at once, including ones never seen. */
  private epoch = 0;
  /** List keys per namespace, so invalidating a namespace's lists is not a scan of the whole tier. */
  private readonly listKeys = new Map<string, Set<string>>();

  private readonly staleGraceMs: number;
  private readonly compressMinBytes: number;
  private readonly compress: (body: Buffer) => Promise<EncodedForms>;
  private compressing = 0;

  constructor(options: {
    maxEntries: number;
    maxBytes: number;
    staleGraceMs?: number;
    /** Bodies of at least this many bytes get their br and gzip forms (0: never). */
    compressMinBytes?: number;
    compress?: (body: Buffer) => Promise<EncodedForms>;
  }) {
    this.staleGraceMs = options.staleGraceMs ?? 0;
    this.compressMinBytes = options.compressMinBytes ?? 0;
    this.compress = options.compress ?? compressForms;
    this.lru = new LRUCache<string, StoredEntry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      // The compressed forms count too: the bound is on what the tier really holds.
      sizeCalculation: (entry, key) =>
        entry.body.length + key.length + entry.etag.length + (entry.br?.length ?? 0) + (entry.gzip?.length ?? 0),
      ttlAutopurge: false,
      allowStale: false,
      dispose: (entry, key) => {
        const keys = this.listKeys.get(entry.namespace);
        if (keys?.delete(key) && keys.size === 0) this.listKeys.delete(entry.namespace);
      },
    });
  }

  /** A fresh entry, or undefined. */
  get(key: string): L1Entry | undefined {
    const entry = this.lru.get(key);
    if (!entry || entry.freshUntil <= Date.now()) return undefined;
    if (!entry.compressStarted) this.compressLater(key, entry);
    return entry;
  }

  /** Any entry still held, fresh or within the stale grace, with how long this instance has held it. */
  getStale(key: string): (L1Entry & { ageMs: number }) | undefined {
    const entry = this.lru.get(key, { updateAgeOnGet: false });
    const now = Date.now();
    if (!entry || entry.freshUntil + this.staleGraceMs <= now) return undefined;
    return { ...entry, ageMs: now - entry.storedAt };
  }

  /** Only ever grows (both terms only grow), so any bump makes earlier readings stale. */
  generation(namespace: string): number {
    return this.epoch + (this.generations.get(namespace) ?? 0);
  }

  private bump(namespace: string): void {
    this.generations.set(namespace, (this.generations.get(namespace) ?? 0) + 1);
  }

  /** Stores only if no invalidation of the namespace happened since `generation` was read. */
  set(key: string, entry: L1Input, ttlMs: number, generation: number, isList: boolean): boolean {
    if (this.generation(entry.namespace) !== generation || ttlMs <= 0) return false;
    const now = Date.now();
    const body = ownedCopy(entry.body);
    const stored: StoredEntry = {
      body,
      namespace: entry.namespace,
      etag: entityTag(body),
      l2ExpiresAt: entry.l2ExpiresAt,
      freshUntil: now + ttlMs,
      storedAt: now,
    };
    this.lru.set(key, stored, { ttl: ttlMs + this.staleGraceMs });
    if (this.lru.peek(key) === stored) this.compressLater(key, stored);
    if (isList && this.lru.has(key)) {
      let keys = this.listKeys.get(entry.namespace);
      if (!keys) this.listKeys.set(entry.namespace, (keys = new Set()));
      keys.add(key);
    }
    return true;
  }

  /** Starts computing the entry's compressed forms in the background, if it is big enough and a slot is free. */
  private compressLater(key: string, stored: StoredEntry): void {
    if (this.compressMinBytes === 0 || stored.body.length < this.compressMinBytes) return;
    if (this.compressing >= COMPRESSIONS_IN_FLIGHT_MAX) return;
    stored.compressStarted = true;
    this.compressing++;
    this.compress(stored.body)
      .then(
        (forms) => this.attachForms(key, stored, forms),
        () => undefined, // identity is always there to send
      )
      .finally(() => this.compressing--);
  }

  /**
   * Adds the compressed forms to the entry they were computed for, if it is still the one held
   * (not invalidated, replaced or evicted meanwhile). A new object, so the byte bound is
   * recomputed; the TTL and the list index stay as they were.
   */
  private attachForms(key: string, stored: StoredEntry, forms: EncodedForms): void {
    if (this.lru.peek(key, { allowStale: true }) !== stored || (!forms.br && !forms.gzip)) return;
    // zlib hands back views into its 64 KiB output buffers: kept as they are, each form would
    // hold the whole 64 KiB while the bound counts its length.
    const owned = { br: forms.br && ownedCopy(forms.br), gzip: forms.gzip && ownedCopy(forms.gzip) };
    this.lru.set(key, { ...stored, ...owned }, { noUpdateTTL: true, noDisposeOnSet: true });
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

  /** Time left before the entry stops being fresh. */
  remainingTtlMs(key: string): number {
    const entry = this.lru.peek(key);
    return entry ? Math.max(0, entry.freshUntil - Date.now()) : 0;
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }
}

/**
 * The bytes of `body` in memory of their own. A small Buffer is often a view: on Node's shared
 * 8 KiB pool slab (`Buffer.from(string)` under 4 KiB) or on an ioredis reply buffer; keeping the
 * view keeps the whole underlying memory alive while the byte bound counts only the view.
 */
export function ownedCopy(body: Buffer): Buffer {
  if (body.byteOffset === 0 && body.buffer.byteLength === body.length) return body;
  const copy = Buffer.allocUnsafeSlow(body.length);
  body.copy(copy);
  return copy;
}

/**
 * How long L1 may keep a copy whose Redis key has `l2TtlMs` left (PTTL): never longer than Redis
 * or L1's own TTL; L1's own for a key without expiry (-1); not at all (undefined) when the key was
 * gone (-2: it expired or was deleted between the GET and the PTTL of one round trip, and L1's own
 * TTL would serve it long after Redis let it go).
 */
export function l1TtlMs(l2TtlMs: number, l1TtlSeconds: number): number | undefined {
  if (l2TtlMs === -2 || l2TtlMs === 0) return undefined;
  return Math.min(l1TtlSeconds * 1000, l2TtlMs > 0 ? l2TtlMs : l1TtlSeconds * 1000);
}
