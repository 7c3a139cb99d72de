import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo } from 'mongoose';
import { ENV } from '../../../config/config.module';
import { cacheKeyPrefix, type Env } from '../../../config/env';
import { RedisConnection } from '../redis/redis.connection';
import { CacheInvalidator } from '../cache-invalidator';
import { FeedBatch, FeedPlan } from './feed-batch';
import { FeedLease } from './feed-lease';
import { FeedTokens } from './feed-tokens';
import { commitTime, FeedEvent, toFeedChange } from './feed-event';
import type { FeedSource } from './feed-source';
import { FeedSnapshot, FeedState, RecentSamples } from './feed-stats';

/** Server answers meaning "no change streams here" (standalone mongod, or a server without an oplog). */
const NOT_SUPPORTED_CODES = new Set([40573, 40415, 115, 303]);
/** The resume token is no longer in the oplog, or unusable: resuming would miss events. */
const HISTORY_LOST_CODES = new Set([286, 260, 280]);
/** A flush starts at once past this many events, without waiting for the batch window (bounds memory). */
const MAX_BATCH_EVENTS = 20_000;
/**
 * While events arrive faster than CACHE_FEED_MAX_IDS per batch (a bulk write, a re-rank, a crunch),
 * batches stretch to this: each flooded namespace is then dropped whole about twice a second instead
 * of being invalidated id by id every few milliseconds.
 */
const FLOOD_WINDOW_MS = 500;
const FIRST_RETRY_DELAY_MS = 200;
/** The longest start-up waits for the leader's streams to open (MongoDB slow or unreachable: serve anyway). */
const STARTUP_WAIT_MS = 5000;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Redis keys of the feed, shared by every instance of one deployment (behind its key prefix, so
 * deployments on other databases sharing the Redis elect their own leader and keep their own tokens).
 */
export const feedKeys = (prefix: string) => ({
  leader: `${prefix}cache-feed:leader`,
  /** Hash: collection → JSON resume token of the last applied event. */
  tokens: `${prefix}cache-feed:tokens`,
});

/** One collection's change stream. */
interface Follower {
  source: FeedSource;
  stream?: mongo.ChangeStream<mongo.Document, FeedEvent>;
  /** Token of the last event whose invalidation was applied: the resume point. */
  token?: mongo.ResumeToken;
  /** After an invalidate event (collection dropped or renamed), the next stream starts after it. */
  startAfter?: mongo.ResumeToken;
  open: boolean;
  /** Consecutive failures since the stream last opened: only the first is logged as a warning. */
  failures: number;
  retryTimer?: NodeJS.Timeout;
  retryDelayMs: number;
}

/**
 * The change feed: follows MongoDB's change streams of every collection a feature declared
 * (`ChangeFeedModule.forFeature`) and turns committed changes into cache invalidations, whoever
 * wrote them.
 *
 * - CACHE_FEED_FOLLOWERS elected instances follow (one lease each in Redis) and invalidate through
 *   the cache, which broadcasts to every instance: each event costs Redis one invalidation per
 *   follower, not one per instance. With one follower, a dead one is replaced when its lease
 *   expires (CACHE_FEED_LEASE_MS) and outside writes wait meanwhile; with two, the other is
 *   already following, so an instance that dies between its write and its invalidation (while
 *   following) leaves nothing stale for longer than the feed's own delay.
 * - Events are coalesced for CACHE_FEED_BATCH_MS; past CACHE_FEED_MAX_IDS ids of one namespace
 *   the namespace is dropped whole, so a bulk write costs a bounded number of Redis commands.
 * - Resume tokens of applied events are kept in Redis: a new leader, or this one after an error,
 *   resumes where the last applied event was. A collection with no token (first start, token
 *   lost) or whose token has left the oplog has its namespaces dropped, and the feed starts afresh.
 * - Without change streams (standalone mongod) it warns once and the cache falls back to TTL.
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChangeFeed');
  private readonly followers = new Map<string, Follower>();
  /** One lease per follower slot; this instance holds at most one (`held`). */
  private readonly leases: FeedLease[];
  private held?: FeedLease;
  private readonly tokens: FeedTokens;
  private readonly batch: FeedBatch;
  /** Per collection, the token of the newest event in the batch. */
  private batchTokens = new Map<string, mongo.ResumeToken>();
  /** Per event in the batch: MongoDB's time and when it was received (ms). */
  private batchTimes: { committed?: number; received: number }[] = [];
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private flushQueued = false;
  /** The last flush carried more events than CACHE_FEED_MAX_IDS: batch for FLOOD_WINDOW_MS. */
  private flooded = false;
  private leaseTimer?: NodeJS.Timeout;
  private ticking = false;
  private readyWaiters: (() => void)[] = [];
  private readonly lags = new RecentSamples();
  private readonly delays = new RecentSamples();
  private state: FeedState = 'disabled';
  private leading = false;
  /** Events applied since start. */
  processed = 0;
  private resumes = 0;
  private historyLost = 0;

  constructor(
    @Inject(ENV) private readonly env: Env,
    @InjectConnection() private readonly connection: Connection,
    private readonly cache: CacheInvalidator,
    redis: RedisConnection,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const keys = feedKeys(cacheKeyPrefix(env));
    this.leases = Array.from(
      { length: env.CACHE_FEED_FOLLOWERS },
      (_, slot) => new FeedLease(redis, slot === 0 ? keys.leader : `${keys.leader}:${slot}`, env.CACHE_FEED_LEASE_MS),
    );
    this.tokens = new FeedTokens(redis, keys.tokens);
    this.batch = new FeedBatch(env.CACHE_FEED_MAX_IDS);
  }

  /** Declares a collection's mapping; feature modules do it through ChangeFeedModule.forFeature. */
  register(source: FeedSource): void {
    if (this.followers.has(source.collection)) throw new Error(`change feed: collection ${source.collection} is declared twice`);
    this.followers.set(source.collection, { source, open: false, failures: 0, retryDelayMs: FIRST_RETRY_DELAY_MS });
  }

  async onApplicationBootstrap() {
    if (!this.adapterHost.httpAdapter) return; // a CLI command: the serving instances follow
    if (!this.env.CACHE_FEED_ENABLED) {
      this.logger.log('disabled (CACHE_FEED_ENABLED=false): this instance does not follow MongoDB changes');
      return;
    }
    this.state = 'standby';
    await this.tick();
    this.leaseTimer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.env.CACHE_FEED_LEASE_MS / 3)));
    // A new leader first drops what collections without a stored token feed. Done before the app
    // serves, so those drops do not race its first requests' fills (which they would discard).
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.ready(), new Promise<void>((resolve) => (timeout = setTimeout(resolve, STARTUP_WAIT_MS)))]);
    clearTimeout(timeout);
  }

  async onModuleDestroy() {
    clearInterval(this.leaseTimer);
    this.leaseTimer = undefined;
    const wasLeading = this.leading;
    if (this.state !== 'disabled') this.state = 'stopped';
    await this.stopFollowing();
    if (wasLeading) await this.held?.release();
    this.held = undefined;
    this.wakeReadyWaiters();
  }

  /** Resolves once this instance follows every declared collection (or will not follow at all). */
  ready(): Promise<void> {
    return this.isReady() ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** True while this instance leads and its streams are open. */
  get running(): boolean {
    return this.leading && this.state === 'following';
  }

  /** Events received but not applied yet. */
  get backlog(): number {
    return this.batch.events;
  }

  snapshot(): FeedSnapshot {
    const percentiles = (samples: RecentSamples) => ({
      last: samples.last,
      p50: samples.quantile(0.5),
      p99: samples.quantile(0.99),
    });
    return {
      state: this.state,
      leader: this.leading,
      collections: [...this.followers.keys()],
      eventsApplied: this.processed,
      backlog: this.backlog,
      resumes: this.resumes,
      historyLost: this.historyLost,
      lagMs: percentiles(this.lags),
      applyDelayMs: percentiles(this.delays),
    };
  }

  /** Takes or renews the lease; starts or stops following accordingly. */
  private async tick() {
    if (this.ticking || this.state === 'stopped') return;
    this.ticking = true;
    try {
      const held = await this.holdALease();
      if (held && !this.leading && this.state === 'standby') await this.startFollowing();
      else if (!held && this.leading) {
        this.logger.warn('lost the change-feed lease (Redis unreachable or taken over): stopped following');
        await this.stopFollowing();
        if (this.state === 'following') this.state = 'standby';
      }
    } finally {
      this.ticking = false;
    }
  }

  /** Renews the lease this instance holds, or takes the first free one. */
  private async holdALease(): Promise<boolean> {
    if (this.held) {
      if (await this.held.hold()) return true;
      this.held = undefined;
      return false;
    }
    for (const lease of this.leases) {
      if (await lease.hold()) {
        this.held = lease;
        return true;
      }
    }
    return false;
  }

  private async startFollowing() {
    this.leading = true;
    this.state = 'following';
    this.logger.log(`leading: following ${[...this.followers.keys()].join(', ') || 'no collections'}`);
    await Promise.all([...this.followers.values()].map((f) => this.open(f)));
    this.wakeReadyWaiters();
  }

  private async stopFollowing() {
    this.leading = false;
    for (const follower of this.followers.values()) {
      clearTimeout(follower.retryTimer);
      const stream = follower.stream;
      follower.stream = undefined;
      follower.open = false;
      await stream?.close().catch(() => undefined);
    }
    await this.flush();
  }

  private async open(follower: Follower) {
    if (!this.leading || this.state !== 'following') return;
    const collection = follower.source.collection;
    let resume: mongo.ChangeStreamOptions = {};
    if (follower.startAfter) resume = { startAfter: follower.startAfter };
    else {
      follower.token ??= await this.tokens.load(collection);
      if (follower.token) {
        resume = { resumeAfter: follower.token };
        this.resumes++;
      }
    }
    if (!this.leading || follower.stream) return;
    const stream = this.connection.db!.collection(collection).watch<mongo.Document, FeedEvent>([], {
      fullDocument: 'updateLookup',
      // Pre-images name the old owner, name or course of deletes and renames (MongoDB 6+, when the
      // collection records them); without them the mapping falls back to broader drops.
      fullDocumentBeforeChange: 'whenAvailable',
      ...resume,
    });
    follower.stream = stream;
    follower.startAfter = undefined;
    const historyUnknown = !('resumeAfter' in resume) && !('startAfter' in resume);
    stream.on('change', (event) => this.receive(follower, event));
    stream.on('error', (error) => void this.onError(follower, stream, error));
    // Closed by the server without an error (e.g. after an invalidate event): reopen.
    stream.on('close', () => {
      if (follower.stream !== stream) return;
      follower.stream = undefined;
      follower.open = false;
      this.reopenLater(follower);
    });
    // The stream does not re-emit its cursor's 'init' (the aggregate answered: events from now on are seen).
    (stream as unknown as { cursor: NodeJS.EventEmitter }).cursor.once('init', () => void this.onOpen(follower, stream, historyUnknown));
  }

  private async onOpen(follower: Follower, stream: mongo.ChangeStream<mongo.Document, FeedEvent>, historyUnknown: boolean) {
    if (follower.stream !== stream) return;
    follower.retryDelayMs = FIRST_RETRY_DELAY_MS;
    follower.failures = 0;
    if (historyUnknown) {
      // Changes before this stream opened may never have been applied: drop what the collection feeds.
      this.batch.drop(follower.source.everything);
      // MongoDB gives a resume point at once (the stand-in only with the first event): keep it.
      if (stream.resumeToken) this.batchTokens.set(follower.source.collection, stream.resumeToken);
      await this.flush();
    }
    follower.open = true;
    this.wakeReadyWaiters();
  }

  private async onError(follower: Follower, stream: mongo.ChangeStream<mongo.Document, FeedEvent>, error: Error & { code?: number }) {
    if (follower.stream !== stream) return;
    follower.stream = undefined;
    follower.open = false;
    await stream.close().catch(() => undefined);
    if (!this.leading) return;
    if (error.code !== undefined && NOT_SUPPORTED_CODES.has(error.code)) {
      if (this.state !== 'unavailable') {
        this.state = 'unavailable';
        this.logger.warn(
          `MongoDB change streams are not available (${error.message}): writes made outside this API instance ` +
            `(other services, scripts, instances that die mid-write) reach the cache only when entries expire ` +
            `(CACHE_TTL_SECONDS). Run MongoDB as a replica set (a single node is enough; see README) to keep the cache in sync.`,
        );
        await this.stopFollowing();
        this.leading = true; // keeps the lease so that other instances do not each try and warn
        this.wakeReadyWaiters();
      }
      return;
    }
    await this.flush();
    if (error.code !== undefined && HISTORY_LOST_CODES.has(error.code)) {
      this.historyLost++;
      this.logger.warn(
        `cannot resume the change stream of ${follower.source.collection} (${error.message}): dropping its cached namespaces and starting afresh`,
      );
      follower.token = undefined;
      follower.startAfter = undefined;
      await this.tokens.forget(follower.source.collection);
    } else {
      // A server that fails every attempt (e.g. the stand-in without its oplog, which names no error code) warns once.
      const message = `change stream of ${follower.source.collection} failed (${error.message}); resuming in ${follower.retryDelayMs} ms`;
      if (follower.failures++ === 0) this.logger.warn(message);
      else this.logger.debug(message);
    }
    this.reopenLater(follower);
  }

  private reopenLater(follower: Follower) {
    if (!this.leading || this.state !== 'following') return;
    clearTimeout(follower.retryTimer);
    follower.retryTimer = setTimeout(() => void this.open(follower), follower.retryDelayMs);
    follower.retryDelayMs = Math.min(follower.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
  }

  private receive(follower: Follower, event: FeedEvent) {
    const { source } = follower;
    switch (event.operationType) {
      case 'insert':
      case 'update':
      case 'replace':
      case 'delete':
        this.batch.add(source.targets(toFeedChange(event)));
        break;
      case 'invalidate':
        // The stream ends after this; the next one starts right after it.
        follower.startAfter = event._id;
        this.batch.add(source.everything);
        break;
      case 'drop':
      case 'rename':
      case 'dropDatabase':
        this.batch.add(source.everything);
        break;
      default:
        this.batch.add([]);
        break;
    }
    this.batchTokens.set(source.collection, event._id);
    this.batchTimes.push({ committed: commitTime(event), received: Date.now() });
    if (this.batch.events >= MAX_BATCH_EVENTS) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), this.flooded ? FLOOD_WINDOW_MS : this.env.CACHE_FEED_BATCH_MS);
  }

  /**
   * Applies everything received so far, one flush at a time; a flush queued behind a running one
   * takes whatever arrived meanwhile, so a slow Redis makes batches larger, not more numerous.
   * Tokens are stored only after their events' invalidations were applied.
   */
  private flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.flushQueued) return this.flushing;
    this.flushQueued = true;
    this.flushing = this.flushing.then(async () => {
      this.flushQueued = false;
      if (this.batch.empty && this.batchTokens.size === 0) return;
      const events = this.batch.events;
      this.flooded = events > this.env.CACHE_FEED_MAX_IDS;
      const plan = this.batch.take();
      const tokens = this.batchTokens;
      const times = this.batchTimes;
      this.batchTokens = new Map();
      this.batchTimes = [];
      try {
        await this.apply(plan);
        await this.storeTokens(tokens);
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

  private async apply(plan: FeedPlan) {
    for (const prefix of plan.prefixes) await this.cache.clear(prefix);
    for (const namespace of plan.wholeNamespaces) {
      // The generation bump first: a fill that read MongoDB before the change is not stored after the clear.
      await this.cache.invalidate(namespace);
      await this.cache.clear(`${namespace}:`);
    }
    await Promise.all(plan.invalidations.map(({ namespace, ids }) => this.cache.invalidate(namespace, ids)));
  }

  private async storeTokens(tokens: Map<string, mongo.ResumeToken>) {
    for (const [collection, token] of tokens) {
      const follower = this.followers.get(collection);
      if (follower) follower.token = token;
    }
    await this.tokens.save(tokens);
  }

  private isReady(): boolean {
    if (this.state !== 'following') return this.state !== 'standby';
    return this.leading && [...this.followers.values()].every((f) => f.open);
  }

  private wakeReadyWaiters() {
    if (!this.isReady()) return;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}
