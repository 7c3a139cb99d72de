import type { EncodedForms } from './encodings';
import { Segment, type Slice } from './segment-log';

/** What a caller stores. */
export interface L1Input {
  body: Buffer;
  namespace: string;
  /** When the Redis copy expires (epoch ms), if known: refresh-ahead reads it. */
  l2ExpiresAt?: number;
}

/**
 * What a read hands out: the body and what was derived from it once, when it entered the tier.
 * Its buffers are the caller's own copies (the tier's bytes are reused in place).
 */
export interface L1Entry extends L1Input, EncodedForms {
  /** Strong entity tag of `body`, computed once at store time. */
  etag: string;
  /** Set once a refresh-ahead of this entry was started or tried: later reads just serve it. */
  refreshStarted?: boolean;
}

/**
 * What the tier keeps per entry: its parts live in the segment log, the rest here. Records are
 * reused once their entry goes (`version` tells a reuse apart), so entries churning through L1 do
 * not leave records for the old generation's collector.
 */
export interface StoredEntry {
  /** Bumped each time the record is released: a holder of an older version holds nothing. */
  version: number;
  key: string;
  namespace: string;
  etag: string;
  body: Slice;
  br?: Slice;
  gzip?: Slice;
  l2ExpiresAt?: number;
  /** Served as a hit until then; kept for stale-if-error until `keptUntil`. */
  freshUntil: number;
  keptUntil: number;
  storedAt: number;
  isList: boolean;
  /** What the byte bound counts for it outside the log: key, tag and ENTRY_OVERHEAD_BYTES. */
  bookkeeping: number;
  /** What the byte bound counts for it: its parts and its bookkeeping. */
  counted: number;
  refreshStarted: boolean;
  /** A client asked for its br or gzip form (each is computed at most once per entry). */
  brAsked: boolean;
  gzipAsked: boolean;
  /** Its parts are being copied to the newest segment: a reclaim of the old one must not evict it. */
  moving: boolean;
}

/**
 * What one entry costs on the V8 heap beyond its key and tag characters: its record, the slice
 * of its body, its slot in the index and in its segment's owner list. Counted in the byte bound
 * so that the bound is what the tier costs; `l1-store.spec` measures it (heap after a full GC).
 */
export const ENTRY_OVERHEAD_BYTES = 512;

/** What each compressed form adds on the heap: its slice and its place in a segment's owner list. */
export const FORM_OVERHEAD_BYTES = 64;

/** A read's copies of an entry's bytes, beside the stored entry's own fields. */
export class CopiedEntry implements L1Entry {
  readonly namespace: string;
  readonly etag: string;
  readonly l2ExpiresAt?: number;
  private readonly version: number;

  constructor(
    private readonly stored: StoredEntry,
    readonly body: Buffer,
    readonly br?: Buffer,
    readonly gzip?: Buffer,
  ) {
    this.namespace = stored.namespace;
    this.etag = stored.etag;
    this.l2ExpiresAt = stored.l2ExpiresAt;
    this.version = stored.version;
  }

  /** Refresh-ahead marks the entry it was handed: the mark belongs to the stored one, while it is held. */
  get refreshStarted(): boolean | undefined {
    return this.stored.version === this.version ? this.stored.refreshStarted : true;
  }

  set refreshStarted(value: boolean | undefined) {
    if (this.stored.version === this.version) this.stored.refreshStarted = value === true;
  }
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

/** What a released record's body points at: no segment is ever this one. */
const NO_SEGMENT = new Segment(Buffer.alloc(0), -1, false);

/**
 * Released records kept for reuse. Under churn each store follows an eviction, so a few suffice;
 * an invalidation of many entries at once leaves the rest to the collector.
 */
const SPARE_RECORDS = 1024;

/** Records of one shape, reused: an entry that goes leaves its record for the next one. */
export class RecordPool {
  private readonly spare: StoredEntry[] = [];

  take(): StoredEntry {
    return this.spare.pop() ?? newRecord();
  }

  /** Holds nothing of the entry any more; its version moves, so older holders see it is gone. */
  release(stored: StoredEntry): void {
    stored.version++;
    stored.key = '';
    stored.etag = '';
    stored.br = undefined;
    stored.gzip = undefined;
    stored.refreshStarted = false;
    stored.brAsked = false;
    stored.gzipAsked = false;
    stored.moving = false;
    stored.body.segment = NO_SEGMENT;
    if (this.spare.length < SPARE_RECORDS) this.spare.push(stored);
  }
}

/** Every field set, so every record has one shape, all of it inside the object. */
function newRecord(): StoredEntry {
  return {
    version: 0,
    key: '',
    namespace: '',
    etag: '',
    body: { segment: NO_SEGMENT, offset: 0, length: 0 },
    br: undefined,
    gzip: undefined,
    l2ExpiresAt: undefined,
    freshUntil: 0,
    keptUntil: 0,
    storedAt: 0,
    isList: false,
    bookkeeping: 0,
    counted: 0,
    refreshStarted: false,
    brAsked: false,
    gzipAsked: false,
    moving: false,
  };
}
