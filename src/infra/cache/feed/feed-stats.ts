/** Samples kept for the lag percentiles: the most recent ones, so they follow current load. */
const SAMPLES = 2048;

/** A ring of recent measurements (ms) with percentiles. */
export class RecentSamples {
  private readonly values = new Float64Array(SAMPLES);
  private count = 0;
  last?: number;

  add(value: number): void {
    this.values[this.count % SAMPLES] = value;
    this.count++;
    this.last = value;
  }

  /** The q-quantile (0..1) of the recent samples, undefined before any. */
  quantile(q: number): number | undefined {
    const n = Math.min(this.count, SAMPLES);
    if (n === 0) return undefined;
    const sorted = Array.from(this.values.subarray(0, n)).sort((a, b) => a - b);
    return sorted[Math.min(n - 1, Math.floor(q * n))];
  }

  /** The last sample, p50 and p99. */
  summary(): { last?: number; p50?: number; p99?: number } {
    return { last: this.last, p50: this.quantile(0.5), p99: this.quantile(0.99) };
  }
}

/** What the snapshot reads of a follower and of the applier. */
interface FollowerFigures {
  collection: string;
  open: boolean;
  resumes: number;
  historyLost: number;
}
interface ApplierFigures {
  processed: number;
  skipped: number;
  backlog: number;
  lags: RecentSamples;
  delays: RecentSamples;
}

/** The feed's state and figures; `following` with a closed stream reads `reopening`. */
export function feedSnapshot(state: FeedState, leader: boolean, followers: FollowerFigures[], applier: ApplierFigures): FeedSnapshot {
  const closed = state === 'following' ? followers.filter((f) => !f.open).map((f) => f.collection) : [];
  return {
    state: closed.length ? 'reopening' : state,
    leader,
    collections: followers.map((f) => f.collection),
    closed,
    eventsApplied: applier.processed,
    eventsSkipped: applier.skipped,
    backlog: applier.backlog,
    resumes: followers.reduce((sum, f) => sum + f.resumes, 0),
    historyLost: followers.reduce((sum, f) => sum + f.historyLost, 0),
    lagMs: applier.lags.summary(),
    applyDelayMs: applier.delays.summary(),
  };
}

export type FeedState = 'disabled' | 'standby' | 'following' | 'reopening' | 'unavailable' | 'stopped';

export interface FeedSnapshot {
  /**
   * disabled (CACHE_FEED_ENABLED=false, or a CLI process), standby (other instances follow),
   * following (every stream open), reopening (this instance follows but the `closed` streams are not
   * open: changes to those collections wait), unavailable (no change streams), stopped
   */
  state: FeedState;
  leader: boolean;
  collections: string[];
  /** While following: the collections whose stream is not open (MongoDB unreachable, restarting, an election). */
  closed: string[];
  /** Events handled: invalidated, or skipped. */
  eventsApplied: number;
  /** Of those, events skipped because the API's own write had invalidated them already (CACHE_FEED_SKIP_API_WRITES). */
  eventsSkipped: number;
  /** Events received but not applied yet. */
  backlog: number;
  /** Streams reopened from a stored resume token (errors, leader changes). */
  resumes: number;
  /** Restarts because the resume token had left the oplog (the collection's namespaces were dropped). */
  historyLost: number;
  /**
   * MongoDB's commit time of an event → its invalidation applied, ms. From the event's wallTime
   * (MongoDB 6+); where only clusterTime exists (the stand-in) it has one-second resolution.
   */
  lagMs: { last?: number; p50?: number; p99?: number };
  /** Event received from the stream → invalidation applied, ms (this process's own delay: batching, Redis). */
  applyDelayMs: { last?: number; p50?: number; p99?: number };
}
