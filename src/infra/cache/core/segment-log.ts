/** Where one stored part lives: a range of a segment. */
export interface Slice {
  segment: Segment;
  offset: number;
  length: number;
}

/** A buffer the log writes into front to back; reclaimed whole, oldest first. */
export class Segment {
  used = 0;
  /** False once reclaimed: its bytes may already hold something else. */
  live = true;
  /** Whoever wrote each slice here, told when the segment is reclaimed (may repeat, may be stale). */
  readonly owners: object[] = [];

  constructor(
    readonly bytes: Buffer,
    /** Order of opening: a lower number is older. */
    readonly seq: number,
    /** A standard segment's buffer is reused once reclaimed; a one-off one (a single large part) is dropped. */
    readonly standard: boolean,
  ) {}
}

/**
 * The bytes L1 owns: segments of a fixed size, allocated once and reused in place, so entries
 * coming and going allocate and free nothing. Each entry evicted one by one from its own buffer
 * left a small backing store for the garbage collector; between major collections they piled up
 * (about 4x what the tier counted in the soak) and malloc kept the pages once they were freed.
 *
 * Writes append to the newest standard segment. A part larger than half a segment gets a one-off
 * segment of its exact size (malloc serves those from mmap and gives them back when dropped).
 * When opening a segment would take the log past its budget, the oldest segment is reclaimed:
 * `onReclaim` hears its owners, then its buffer is reused (standard) or dropped (one-off).
 * Bytes read out of a slice must be copied before anything else is written: a later write may
 * reclaim the segment and overwrite them.
 */
export class SegmentLog<Owner extends object> {
  readonly segmentBytes: number;
  /** Oldest first. */
  private readonly queue: Segment[] = [];
  /** Reclaimed standard buffers, ready for reuse (still held). */
  private readonly free: Buffer[] = [];
  private current?: Segment;
  private heldBytes = 0;
  private nextSeq = 0;

  constructor(
    /** Bytes the segments may hold now (the caller's bound minus what it keeps elsewhere). */
    private readonly budget: () => number,
    private readonly onReclaim: (owners: Owner[], segment: Segment) => void,
    segmentBytes: number,
  ) {
    this.segmentBytes = Math.max(1, Math.floor(segmentBytes));
  }

  /** Bytes of every segment allocated, in use or free: what the log costs the process. */
  get held(): number {
    return this.heldBytes;
  }

  /**
   * Whether the next reclaims would reach `segment` first: the log is at its budget (a new segment
   * means reclaiming one) and the segment is in its older half. Below the budget nothing is near.
   */
  nearReclaim(segment: Segment): boolean {
    if (this.free.length > 0 || this.heldBytes + this.segmentBytes <= this.budget()) return false;
    const oldest = this.queue[0]?.seq ?? segment.seq;
    return segment.seq - oldest < (this.nextSeq - oldest) / 2;
  }

  /**
   * Copies `bytes` into the log for `owner`; undefined when they cannot fit within the budget.
   * `into`: a slice object to fill in and return instead of a new one.
   */
  write(owner: Owner, bytes: Uint8Array, into?: Slice): Slice | undefined {
    const length = bytes.length;
    let segment: Segment | undefined;
    if (length > this.segmentBytes / 2) {
      segment = this.openOneOff(length);
    } else {
      segment = this.current;
      if (!segment?.live || segment.bytes.length - segment.used < length) segment = this.current = this.openStandard();
    }
    if (!segment) return undefined;
    const offset = segment.used;
    segment.bytes.set(bytes, offset);
    segment.used += length;
    segment.owners.push(owner);
    if (!into) return { segment, offset, length };
    into.segment = segment;
    into.offset = offset;
    into.length = length;
    return into;
  }

  /** A view of a slice's bytes: copy them before the next write. */
  view(slice: Slice): Buffer {
    return slice.segment.bytes.subarray(slice.offset, slice.offset + slice.length);
  }

  /** Gives back segments, oldest first, until the log is within its budget again (it shrank). */
  fit(): void {
    while (this.heldBytes > this.budget()) {
      if (this.free.pop()) this.heldBytes -= this.segmentBytes;
      else if (!this.reclaimOldest()) return;
    }
  }

  /** Reclaims every segment (owners are told) and keeps the standard buffers for reuse. */
  reclaimAll(): void {
    while (this.reclaimOldest());
  }

  private openStandard(): Segment | undefined {
    let buffer = this.free.pop();
    while (!buffer && this.heldBytes + this.segmentBytes > this.budget()) {
      if (!this.reclaimOldest()) return undefined;
      buffer = this.free.pop();
    }
    if (!buffer) {
      buffer = Buffer.allocUnsafeSlow(this.segmentBytes);
      this.heldBytes += this.segmentBytes;
    }
    return this.open(buffer, true);
  }

  private openOneOff(length: number): Segment | undefined {
    while (this.heldBytes + length > this.budget()) {
      if (this.free.pop()) this.heldBytes -= this.segmentBytes;
      else if (!this.reclaimOldest()) return undefined;
    }
    this.heldBytes += length;
    return this.open(Buffer.allocUnsafeSlow(length), false);
  }

  private open(buffer: Buffer, standard: boolean): Segment {
    const segment = new Segment(buffer, this.nextSeq++, standard);
    this.queue.push(segment);
    return segment;
  }

  private reclaimOldest(): boolean {
    const oldest = this.queue.shift();
    if (!oldest) return false;
    oldest.live = false;
    if (oldest === this.current) this.current = undefined;
    this.onReclaim(oldest.owners as Owner[], oldest);
    oldest.owners.length = 0;
    if (oldest.standard) this.free.push(oldest.bytes);
    else this.heldBytes -= oldest.bytes.length;
    return true;
  }
}

/** Segments of about a sixty-fourth of the bound, between 4 KiB and 1 MiB: the one being filled is the waste. */
export function segmentBytesFor(maxBytes: number): number {
  return Math.min(1 << 20, Math.max(4096, Math.floor(maxBytes / 64)));
}
