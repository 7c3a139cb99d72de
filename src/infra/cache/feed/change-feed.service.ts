import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, mongo } from 'mongoose';
import { CACHE_SETTINGS, CacheSettings } from '../core/cache.settings';
import { RedisConnection } from '../redis/redis.connection';
import { CollectionFollower } from './collection-follower';
import type { FollowerContext } from './follower-context';
import { FeedApplier } from './feed-applier';
import { unsupportedWarning } from './feed-errors';
import type { FeedEvent } from './feed-event';
import { FEED_INVALIDATIONS, FeedInvalidations } from './feed-invalidations';
import { feedKeys } from './feed-keys';
import { FeedLeader } from './feed-leader';
import type { FeedSource } from './feed-source';
import { FeedSnapshot, feedSnapshot, FeedState } from './feed-stats';
import { FeedTokens } from './feed-tokens';

/** The longest start-up waits for this instance's streams to open (MongoDB slow or unreachable: serve anyway). */
const STARTUP_WAIT_MS = 5000;

/**
 * The change feed: follows MongoDB's change streams of every collection a feature declared
 * (`ChangeFeedModule.forFeature`) and turns committed changes into cache invalidations, whoever
 * wrote them. The facade of four parts: `FeedLeader` (one of CACHE_FEED_FOLLOWERS leases in
 * Redis), one `CollectionFollower` per collection (its stream, resume point and reopening),
 * `FeedApplier` (batches → invalidations → resume tokens) and `FeedTokens` (tokens in Redis).
 * See docs/cache/change-feed.md.
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ChangeFeed');
  private readonly followers = new Map<string, CollectionFollower>();
  private readonly leader: FeedLeader;
  private readonly tokens: FeedTokens;
  private readonly applier: FeedApplier;
  private readonly context: FollowerContext;
  private readyWaiters: (() => void)[] = [];
  private state: FeedState = 'disabled';
  /** Whether this instance follows (it holds a lease; kept while change streams are unavailable, so others do not retry). */
  private leading = false;

  constructor(
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    @InjectConnection() private readonly connection: Connection,
    @Inject(FEED_INVALIDATIONS) invalidations: FeedInvalidations,
    redis: RedisConnection,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const keys = feedKeys(settings.keyPrefix);
    this.tokens = new FeedTokens(redis, keys.tokens);
    this.leader = new FeedLeader(redis, keys.leader, settings.feed, { gained: () => this.gained(), lost: () => this.lost() }, this.logger);
    this.applier = new FeedApplier(invalidations, { save: (tokens) => this.saveTokens(tokens) }, settings.feed, this.logger);
    this.context = this.followerContext();
  }

  /** Declares a collection's mapping; feature modules do it through ChangeFeedModule.forFeature. */
  register(source: FeedSource): void {
    if (this.followers.has(source.collection)) throw new Error(`change feed: collection ${source.collection} is declared twice`);
    this.followers.set(source.collection, new CollectionFollower(source, this.context));
  }

  async onApplicationBootstrap() {
    if (!this.adapterHost.httpAdapter) return; // a CLI command: the serving instances follow
    if (!this.settings.feed.enabled) {
      this.logger.log('disabled (CACHE_FEED_ENABLED=false): this instance does not follow MongoDB changes');
      return;
    }
    this.state = 'standby';
    // A closed stream waits at most CACHE_FEED_REOPEN_MAX_MS between attempts; this reopens it as soon as the driver hears MongoDB.
    this.connection.getClient().on('serverHeartbeatSucceeded', this.mongoAnswers);
    await this.leader.start();
    // A new follower first drops what collections without a stored token feed. Done before the app
    // serves, so those drops do not race its first requests' fills (which they would discard).
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.ready(), new Promise<void>((resolve) => (timeout = setTimeout(resolve, STARTUP_WAIT_MS)))]);
    clearTimeout(timeout);
  }

  async onModuleDestroy() {
    const wasLeading = this.leading;
    if (this.state !== 'disabled') this.state = 'stopped';
    this.leader.stop();
    this.connection.getClient().off('serverHeartbeatSucceeded', this.mongoAnswers);
    await this.stopFollowing();
    if (wasLeading) await this.leader.release();
    this.wakeReadyWaiters();
  }

  /** Resolves once this instance follows every declared collection (or will not follow at all). */
  ready(): Promise<void> {
    return this.isReady() ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** True while this instance follows and its streams are open. */
  get running(): boolean {
    return this.leading && this.state === 'following';
  }

  /** Events received but not applied yet. */
  get backlog(): number {
    return this.applier.backlog;
  }

  /** Events applied since start. */
  get processed(): number {
    return this.applier.processed;
  }

  snapshot(): FeedSnapshot {
    return feedSnapshot(this.state, this.leading, [...this.followers.values()], this.applier);
  }

  private readonly mongoAnswers = () => {
    const reopened = [...this.followers.values()].filter((f) => f.reopenNow()).map((f) => f.collection);
    if (reopened.length) this.logger.log(`MongoDB answers again: reopening the change streams of ${reopened.join(', ')}`);
  };

  private async gained() {
    if (this.state !== 'standby') return;
    this.leading = true;
    this.state = 'following';
    this.logger.log(`leading: following ${[...this.followers.keys()].join(', ') || 'no collections'}`);
    await Promise.all([...this.followers.values()].map((f) => f.start()));
    this.wakeReadyWaiters();
  }

  private async lost() {
    if (!this.leading) return;
    this.logger.warn('another instance took the change-feed lease: stopped following');
    await this.stopFollowing();
    if (this.state === 'following') this.state = 'standby';
  }

  private async stopFollowing() {
    this.leading = false;
    for (const follower of this.followers.values()) await follower.stop();
    await this.applier.flush();
  }

  private async unsupported(error: Error) {
    if (this.state === 'unavailable') return;
    this.state = 'unavailable';
    this.logger.warn(unsupportedWarning(error));
    await this.stopFollowing();
    this.leading = true; // keeps the lease so that other instances do not each try and warn
    this.wakeReadyWaiters();
  }

  private async saveTokens(tokens: Map<string, mongo.ResumeToken>) {
    for (const [collection, token] of tokens) {
      const follower = this.followers.get(collection);
      if (follower) follower.token = token;
    }
    await this.tokens.save(tokens);
  }

  private followerContext(): FollowerContext {
    const connection = this.connection;
    return {
      logger: this.logger,
      tokens: this.tokens,
      reopenMaxMs: this.settings.feed.reopenMaxMs,
      get resumeWindowMs() {
        return (connection.getClient().options.serverSelectionTimeoutMS ?? 30_000) + 250;
      },
      watch: (collection, options) => this.connection.db!.collection(collection).watch<mongo.Document, FeedEvent>([], options),
      following: () => this.leading && this.state === 'following',
      applier: this.applier,
      opened: () => this.wakeReadyWaiters(),
      unsupported: (error) => this.unsupported(error),
    };
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
