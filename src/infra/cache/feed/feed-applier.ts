import type { Logger } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { FeedBatch, FeedPlan } from './feed-batch';
import type { FeedInvalidations } from './feed-invalidations';
import type { FeedTarget } from './feed-source';
import { RecentSamples } from './feed-stats';
import { OwnWrites } from './own-writes';

/** A flush starts at once past this many events, without waiting for the batch window (bounds memory). */
const MAX_BATCH_EVENTS = 20_000;
/**
 * While events arrive faster than `maxIds` per batch (a bulk write, a re-rank, a crunch), batches
 * stretch to this: each flooded namespace is then dropped whole about twice a second instead of
 * being invalidated id by id every few milliseconds.
 */
const FLOOD_WINDOW_MS = 500;
/** Clears that did not reach Redis are retried this often (as the cache replays its queued invalidations). */
const RETRY_MS = 100;

/** Where applied events' resume tokens go (Redis), and who hears of them (the followers). */
export interface TokenSink {
  save(tokens: Map<string, mongo.ResumeToken>): Promise<void>;
}

/**
 * Turns received change events into invalidations: coalesces them for `batchMs` (ids merged per
 * namespace, a namespace past `maxIds` dropped whole), applies each plan through the cache, then
 * stores the events' resume tokens. One flush at a time; a flush queued behind a running one
 * takes whatever arrived meanwhile, so a slow Redis makes batches larger, not more numerous.
 */
export class FeedApplier {
  private batch: FeedBatch;
  /** Per collection, the token of the newest event in the batch. */
  private batchTokens = new Map<string, mongo.ResumeToken>();
  /** Per event in the batch: MongoDB's commit time and when it was received (ms). */
  private batchTimes: { committed?: number; received: number }[] = [];
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private flushQueued = false;
  /** The last flush carried more events than `maxIds`: batch for FLOOD_WINDOW_MS. */
  private flooded = false;
  /**
   * Clears Redis did not take (the cache queues invalidations, not clears): retried first in every
   * flush, and until they land the tokens of their events are held back, so that a follower taking
   * over after this process dies repeats those events rather than skipping them.
   */
  private unapplied = new Set<string>();
  private heldTokens = new Map<string, mongo.ResumeToken>();
  /** Events the API may have invalidated itself, checked at flush (undefined: CACHE_FEED_SKIP_API_WRITES=false). */
  private readonly ownWrites?: OwnWrites;
  /** Events applied since start. */
  processed = 0;
  /** MongoDB's commit time → applied, and received → applied (ms). */
  readonly lags = new RecentSamples();
  readonly delays = new RecentSamples();

  constructor(
    private readonly cache: FeedInvalidations,
    private readonly tokens: TokenSink,
    private readonly settings: { batchMs: number; maxIds: number; skipApiWrites: boolean },
    private readonly logger: Logger,
  ) {
    this.batch = new FeedBatch(settings.maxIds);
    if (settings.skipApiWrites) this.ownWrites = new OwnWrites((checks) => cache.ownWrites(checks), settings.maxIds);
  }

  /** Events skipped because the API had invalidated them already. */
  get skipped(): number {
    return this.ownWrites?.skipped ?? 0;
  }

  /** Events received but not applied yet. */
  get backlog(): number {
    return this.batch.events + (this.ownWrites?.size ?? 0);
  }

  /** One change event: its targets, its collection's resume token, MongoDB's commit time (ms) and clusterTime. */
  receive(collection: string, targets: readonly FeedTarget[], token: mongo.ResumeToken, committed?: number, clusterTime?: string): void {
    if (!this.ownWrites?.offer(targets, clusterTime)) this.batch.add(targets);
    this.batchTokens.set(collection, token);
    this.batchTimes.push({ committed, received: Date.now() });
    if (this.backlog >= MAX_BATCH_EVENTS) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), this.flooded ? FLOOD_WINDOW_MS : this.settings.batchMs);
  }

  /** Targets no event asked for (what a collection feeds, when its history is unknown); `token` is stored once they are applied. */
  drop(collection: string, targets: readonly FeedTarget[], token?: mongo.ResumeToken): void {
    this.batch.drop(targets);
    if (token) this.batchTokens.set(collection, token);
  }

  /** Applies everything received so far; tokens are stored only after their events' invalidations. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.flushQueued) return this.flushing;
    this.flushQueued = true;
    this.flushing = this.flushing.then(async () => {
      this.flushQueued = false;
      if (this.batch.empty && this.batchTokens.size === 0 && this.unapplied.size === 0 && !this.ownWrites?.size) return;
      // What arrived so far, taken at once: events arriving during the own-write check go to the next flush.
      const batch = this.batch;
      const events = batch.events + (this.ownWrites?.size ?? 0);
      const sifting = this.ownWrites?.sift();
      const tokens = new Map([...this.heldTokens, ...this.batchTokens]);
      const times = this.batchTimes;
      this.batch = new FeedBatch(this.settings.maxIds);
      this.batchTokens = new Map();
      this.batchTimes = [];
      for (const targets of (await sifting) ?? []) batch.add(targets);
      this.flooded = events > this.settings.maxIds;
      const plan = batch.take();
      try {
        this.unapplied = await this.apply(plan, [...this.unapplied]);
        this.heldTokens = this.unapplied.size ? tokens : new Map();
        if (this.unapplied.size) this.flushTimer ??= setTimeout(() => void this.flush(), RETRY_MS);
        else await this.tokens.save(tokens);
        this.processed += events;
        const now = Date.now();
        for (const time of times) {
          if (time.committed !== undefined) this.lags.add(Math.max(0, now - time.committed));
          this.delays.add(now - time.received);
        }
      } catch (error) {
        // The cache queues invalidations it could not deliver; the tokens stay behind, so a resume repeats these events.
        this.logger.error(`applying ${events} change events failed: ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }

  /** Applies `plan` after the clears left over from earlier flushes; answers the clears that did not land. */
  private async apply(plan: FeedPlan, leftOver: string[]): Promise<Set<string>> {
    const unapplied = new Set<string>();
    const clear = async (prefix: string) => {
      if (!(await this.cache.clear(prefix))) unapplied.add(prefix);
    };
    for (const prefix of new Set([...leftOver, ...plan.prefixes])) await clear(prefix);
    for (const namespace of plan.wholeNamespaces) {
      // The generation bump first: a fill that read MongoDB before the change is not stored after the clear.
      await this.cache.invalidate(namespace, []);
      await clear(`${namespace}:`);
    }
    await Promise.all(plan.invalidations.map(({ namespace, ids }) => this.cache.invalidate(namespace, ids)));
    return unapplied;
  }
}
