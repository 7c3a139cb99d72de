import { cacheKeys } from './cache-keys';
import { Coding, COMPRESSIONS_IN_FLIGHT_MAX, compressForm } from './encodings';
import { entityTag } from './entity-tag';
import { CopiedEntry, ENTRY_OVERHEAD_BYTES, FORM_OVERHEAD_BYTES, L1Entry, L1Input, RecordPool, StoredEntry } from './l1-entry';
import { SegmentLog, Segment, segmentBytesFor, Slice } from './segment-log';

export { COMPRESSIONS_IN_FLIGHT_MAX } from './encodings';
export { ENTRY_OVERHEAD_BYTES, FORM_OVERHEAD_BYTES, l1TtlMs } from './l1-entry';
export type { L1Entry, L1Input } from './l1-entry';

/**
 * The in-process tier: bounded by entries and bytes, its own TTL. An entry outlives its TTL by
 * `staleGraceMs`, counted in the bounds like any entry, only to answer when the source fails
 * (stale-if-error); invalidations remove it like a fresh one.
 *
 * Bytes live in a segment log the tier owns (see SegmentLog): the byte bound covers the segments
 * and every entry's bookkeeping, and entries churning through allocate nothing. When the bytes run
 * out, the oldest segment is reclaimed with every entry in it; an entry read while it sits in the
 * older half of a full log is first copied to the newest segment, so what is read stays (close to
 * LRU, which the log cannot do exactly). When the entry count runs out, the least recently read
 * entry goes. Reads hand out copies: a reclaimed segment is overwritten while a reply may still
 * be sending what it held.
 *
 * Each namespace has a local generation, bumped on every invalidation, so a fill that started
 * before an invalidation is discarded instead of resurrecting old data.
 */
export class L1Store {
  /** In order of last read or write: the first one is the least recently used. */
  private readonly index = new Map<string, StoredEntry>();
  private readonly log: SegmentLog<StoredEntry>;
  private readonly generations = new Map<string, number>();
  /** Bumped by clear(): moves every namespace's generation at once, including ones never seen. */
  private epoch = 0;
  /** List keys per namespace, so invalidating a namespace's lists is not a scan of the whole tier. */
  private readonly listKeys = new Map<string, Set<string>>();
  /** Counted bytes of the live entries, and the part of them kept outside the log (keys, tags, records). */
  private countedBytes = 0;
  private bookkeepingBytes = 0;
  private evicted = 0;
  private readonly records = new RecordPool();

  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly staleGraceMs: number;
  private readonly compressMinBytes: number;
  private readonly compress: (body: Buffer, coding: Coding) => Promise<Buffer | undefined>;
  private compressing = 0;

  constructor(options: {
    maxEntries: number;
    maxBytes: number;
    staleGraceMs?: number;
    /** Bodies of at least this many bytes get the br and gzip forms clients ask for (0: never). */
    compressMinBytes?: number;
    compress?: (body: Buffer, coding: Coding) => Promise<Buffer | undefined>;
    segmentBytes?: number;
  }) {
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes;
    this.staleGraceMs = options.staleGraceMs ?? 0;
    this.compressMinBytes = options.compressMinBytes ?? 0;
    this.compress = options.compress ?? compressForm;
    this.log = new SegmentLog<StoredEntry>(
      () => this.maxBytes - this.bookkeepingBytes,
      (owners, segment) => this.reclaimed(owners, segment),
      options.segmentBytes ?? segmentBytesFor(options.maxBytes),
    );
  }

  /**
   * A fresh entry (copies of its bytes), or undefined. `coding`: the form the reader's client
   * prefers; an entry without it gets it computed in the background, for the reads after this one.
   */
  get(key: string, coding?: Coding): L1Entry | undefined {
    const stored = this.live(key);
    if (!stored || stored.freshUntil <= Date.now()) return undefined;
    this.index.delete(key);
    this.index.set(key, stored);
    // A move needs every part; a reader, the body and the form its client takes.
    const moving = this.nearReclaim(stored);
    const entry = this.copyOut(stored, moving ? undefined : coding);
    if (moving) this.moveToNewest(stored, entry);
    if (coding && !stored[coding]) this.compressLater(stored, coding);
    return entry;
  }

  /** Any entry still held, fresh or within the stale grace, with how long this instance has held it. */
  getStale(key: string): (L1Entry & { ageMs: number }) | undefined {
    const stored = this.live(key);
    return stored && { ...this.copyOut(stored), ageMs: Date.now() - stored.storedAt };
  }

  /** Only ever grows (both terms only grow), so any bump makes earlier readings stale. */
  generation(namespace: string): number {
    return this.epoch + (this.generations.get(namespace) ?? 0);
  }

  private bump(namespace: string): void {
    this.generations.set(namespace, (this.generations.get(namespace) ?? 0) + 1);
  }

  /**
   * Stores only if no invalidation of the namespace happened since `generation` was read; answers
   * the entity tag computed for it, or undefined when it was not stored. Its compressed forms come
   * from reads whose clients ask for them: an entry never read again (a scan, a one-off miss) costs
   * no compression, and a form no client asks for is neither computed nor held.
   */
  set(key: string, input: L1Input, ttlMs: number, generation: number, isList: boolean): string | undefined {
    if (this.generation(input.namespace) !== generation || ttlMs <= 0) return undefined;
    this.remove(key);
    const etag = entityTag(input.body);
    const bookkeeping = key.length + etag.length + ENTRY_OVERHEAD_BYTES;
    if (input.body.length + bookkeeping > this.maxBytes) return undefined;
    while (this.index.size >= this.maxEntries && this.index.size > 0) this.evict(this.index.keys().next().value!);
    const now = Date.now();
    const stored = this.records.take();
    stored.key = key;
    stored.namespace = input.namespace;
    stored.etag = etag;
    stored.l2ExpiresAt = input.l2ExpiresAt;
    stored.freshUntil = now + ttlMs;
    stored.keptUntil = now + ttlMs + this.staleGraceMs;
    stored.storedAt = now;
    stored.isList = isList;
    stored.bookkeeping = bookkeeping;
    stored.counted = input.body.length + bookkeeping;
    // Counted before the write, so the write makes room for the bookkeeping as well.
    this.bookkeepingBytes += bookkeeping;
    this.countedBytes += stored.counted;
    this.index.set(key, stored);
    this.log.fit();
    if (!this.log.write(stored, input.body, stored.body) || this.index.get(key) !== stored) {
      if (this.index.get(key) === stored) this.remove(key);
      return undefined;
    }
    if (isList) {
      let keys = this.listKeys.get(input.namespace);
      if (!keys) this.listKeys.set(input.namespace, (keys = new Set()));
      keys.add(key);
    }
    return etag;
  }

  /** Starts computing one form of the entry in the background, if it is big enough and a slot is free. */
  private compressLater(stored: StoredEntry, coding: Coding): void {
    const asked = coding === 'br' ? 'brAsked' : 'gzipAsked';
    if (stored[asked] || this.compressMinBytes === 0 || stored.body.length < this.compressMinBytes) return;
    if (this.compressing >= COMPRESSIONS_IN_FLIGHT_MAX) return;
    stored[asked] = true;
    this.compressing++;
    const version = stored.version;
    this.compress(Buffer.from(this.log.view(stored.body)), coding)
      .then(
        (form) => form && stored.version === version && this.attachForm(stored, coding, form),
        () => undefined, // identity is always there to send
      )
      .finally(() => this.compressing--);
  }

  /** Adds a compressed form to the entry it was computed for (the caller checked it is still held). */
  private attachForm(stored: StoredEntry, coding: Coding, form: Buffer): void {
    if (this.index.get(stored.key) !== stored || stored[coding]) return;
    const version = stored.version;
    const slice = this.log.write(stored, form);
    if (!slice || stored.version !== version) return; // reclaimed meanwhile
    stored[coding] = slice;
    stored.bookkeeping += FORM_OVERHEAD_BYTES;
    this.bookkeepingBytes += FORM_OVERHEAD_BYTES;
    stored.counted += form.length + FORM_OVERHEAD_BYTES;
    this.countedBytes += form.length + FORM_OVERHEAD_BYTES;
  }

  /** Drops the given id keys and every list of the namespace. */
  invalidate(namespace: string, idKeys: string[]): void {
    this.bump(namespace);
    for (const key of idKeys) this.remove(key);
    for (const key of [...(this.listKeys.get(namespace) ?? [])]) this.remove(key);
  }

  delete(key: string): void {
    this.bump(cacheKeys.namespaceOf(key));
    this.remove(key);
  }

  /** Empties the tier (or one key prefix); every namespace's fills in flight are discarded. */
  clear(prefix = ''): number {
    let removed = 0;
    for (const key of [...this.index.keys()]) {
      if (key.startsWith(prefix)) {
        this.remove(key);
        removed++;
      }
    }
    if (this.index.size === 0) this.log.reclaimAll();
    this.epoch++;
    return removed;
  }

  keys(): string[] {
    return [...this.index.keys()];
  }

  /** Time left before the entry stops being fresh. */
  remainingTtlMs(key: string): number {
    const stored = this.live(key);
    return stored ? Math.max(0, stored.freshUntil - Date.now()) : 0;
  }

  get size(): number {
    return this.index.size;
  }

  /** What the bound counts: every live entry's bytes, key, tag and bookkeeping. */
  get bytes(): number {
    return this.countedBytes;
  }

  /** What the tier holds: its segments (in use, partly used or free) and its entries' bookkeeping. */
  get heldBytes(): number {
    return this.log.held + this.bookkeepingBytes;
  }

  /** Entries evicted to make room (by bytes or by count) since the process started. */
  get evictions(): number {
    return this.evicted;
  }

  /** The entry if it is held and not past its stale grace (one past it is dropped now). */
  private live(key: string): StoredEntry | undefined {
    const stored = this.index.get(key);
    if (stored && stored.keptUntil <= Date.now()) {
      this.remove(key);
      return undefined;
    }
    return stored;
  }

  /** Copies of the entry's body and forms: only the `only` form when given (the other is not sent). */
  private copyOut(stored: StoredEntry, only?: Coding): L1Entry {
    const copy = (slice?: Slice) => slice && Buffer.from(this.log.view(slice));
    const wanted = (coding: Coding) => (only === undefined || only === coding ? stored[coding] : undefined);
    return new CopiedEntry(stored, copy(stored.body)!, copy(wanted('br')), copy(wanted('gzip')));
  }

  /** The next reclaims would reach its body first. */
  private nearReclaim(stored: StoredEntry): boolean {
    return this.log.nearReclaim(stored.body.segment);
  }

  /** Copies a read entry's parts (from `entry`, the caller's copies) to the newest segment. */
  private moveToNewest(stored: StoredEntry, entry: L1Entry): void {
    stored.moving = true;
    try {
      for (const part of ['body', 'br', 'gzip'] as const) {
        const bytes = entry[part];
        if (!bytes || this.index.get(stored.key) !== stored) continue;
        const slice = this.log.write(stored, bytes, part === 'body' ? stored.body : undefined);
        if (!slice) {
          this.remove(stored.key);
          return;
        }
        stored[part] = slice;
      }
    } finally {
      stored.moving = false;
    }
  }

  /** A reclaimed segment's entries go, but those being moved out of it. */
  private reclaimed(owners: StoredEntry[], segment: Segment): void {
    for (const stored of owners) {
      if (stored.moving || this.index.get(stored.key) !== stored) continue;
      if (stored.body?.segment === segment || stored.br?.segment === segment || stored.gzip?.segment === segment) {
        this.evict(stored.key);
      }
    }
  }

  private evict(key: string): void {
    if (this.remove(key)) this.evicted++;
  }

  private remove(key: string): boolean {
    const stored = this.index.get(key);
    if (!stored) return false;
    this.index.delete(key);
    this.countedBytes -= stored.counted;
    this.bookkeepingBytes -= stored.bookkeeping;
    if (stored.isList) {
      const keys = this.listKeys.get(stored.namespace);
      if (keys?.delete(key) && keys.size === 0) this.listKeys.delete(stored.namespace);
    }
    this.records.release(stored);
    return true;
  }
}
