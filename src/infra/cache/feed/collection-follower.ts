import type { Logger } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { eventTargets, FeedEvent } from './feed-event';
import { streamErrorKind } from './feed-errors';
import type { FeedSource, FeedTarget } from './feed-source';
import type { FeedTokens } from './feed-tokens';

export type FeedStream = mongo.ChangeStream<mongo.Document, FeedEvent>;

/** The first reopen attempt after a stream closed; later ones double up to CACHE_FEED_REOPEN_MAX_MS. */
const FIRST_RETRY_DELAY_MS = 100;

/** What a follower needs from the feed around it. */
export interface FollowerContext {
  readonly logger: Logger;
  readonly tokens: FeedTokens;
  /** Longest wait between reopen attempts. */
  readonly reopenMaxMs: number;
  /** How long the driver may take to resume a stream by itself (server selection) before a 'close' counts. */
  readonly resumeWindowMs: number;
  /** Opens a change stream on the collection. */
  watch(collection: string, options: mongo.ChangeStreamOptions): FeedStream;
  /** Whether streams should be open now (this instance holds a lease and follows). */
  following(): boolean;
  /** One change received: what it drops, and the token to store once that is applied. */
  received(collection: string, targets: readonly FeedTarget[], event: FeedEvent): void;
  /**
   * A stream without a resume point answered: changes before it may never have been applied, so
   * what the collection feeds is dropped (and `resumeToken` stored once that is done).
   */
  startedAfresh(follower: CollectionFollower, resumeToken?: mongo.ResumeToken): Promise<void>;
  /** The stream answered and delivers events. */
  opened(follower: CollectionFollower): void;
  /** The server has no change streams at all. */
  unsupported(error: Error): Promise<void>;
  /** Applies what was received so far (before a stream is reopened from the stored tokens). */
  flush(): Promise<void>;
}

/**
 * One collection's change stream: opens it from the stored resume token (or right after an
 * invalidate event), classifies its errors (no change streams / history lost / anything else)
 * and reopens it after a short back-off, or at once when told MongoDB answers again.
 */
export class CollectionFollower {
  private current?: FeedStream;
  /** Token of the last event whose invalidation was applied: the resume point. */
  token?: mongo.ResumeToken;
  /** After an invalidate event (collection dropped or renamed), the next stream starts after it. */
  private startAfter?: mongo.ResumeToken;
  /** The stream answered and is delivering events. */
  open = false;
  /** Consecutive failures since the stream last opened: only the first is logged as a warning. */
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = FIRST_RETRY_DELAY_MS;
  /** When the stream closed while following (undefined while open or not yet opened). */
  private closedAt?: number;
  /** Streams reopened from a stored token; restarts because the token had left the oplog. */
  resumes = 0;
  historyLost = 0;

  constructor(
    readonly source: FeedSource,
    private readonly ctx: FollowerContext,
  ) {}

  get collection(): string {
    return this.source.collection;
  }

  /** The open stream, if any (tests inject errors through it). */
  get stream(): FeedStream | undefined {
    return this.current;
  }

  async start(): Promise<void> {
    if (!this.ctx.following()) return;
    let resume: mongo.ChangeStreamOptions = {};
    if (this.startAfter) resume = { startAfter: this.startAfter };
    else {
      this.token ??= await this.ctx.tokens.load(this.collection);
      if (this.token) {
        resume = { resumeAfter: this.token };
        this.resumes++;
      }
    }
    if (!this.ctx.following() || this.current) return;
    const stream = this.ctx.watch(this.collection, {
      fullDocument: 'updateLookup',
      // Pre-images name the old owner, name or course of deletes and renames (MongoDB 6+, when the
      // collection records them); without them the mapping falls back to broader drops.
      fullDocumentBeforeChange: 'whenAvailable',
      ...resume,
    });
    this.current = stream;
    this.startAfter = undefined;
    const historyUnknown = !('resumeAfter' in resume) && !('startAfter' in resume);
    stream.on('change', (event) => this.receive(event));
    stream.on('error', (error) => void this.onError(stream, error));
    stream.on('close', () => this.onClose(stream));
    // The stream does not re-emit its cursor's 'init' (the aggregate answered: events from now on are seen).
    (stream as unknown as { cursor: NodeJS.EventEmitter }).cursor.once('init', () => void this.onOpen(stream, historyUnknown));
  }

  /** Reopens now if the stream is closed and waiting for its next attempt (MongoDB answers again). */
  reopenNow(): boolean {
    if (this.current || this.open || this.retryTimer === undefined || !this.ctx.following()) return false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.start();
    return true;
  }

  async stop(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.closedAt = undefined;
    const stream = this.current;
    this.current = undefined;
    this.open = false;
    await stream?.close().catch(() => undefined);
  }

  private async onOpen(stream: FeedStream, historyUnknown: boolean) {
    if (this.current !== stream) return;
    this.retryDelayMs = FIRST_RETRY_DELAY_MS;
    this.failures = 0;
    // MongoDB gives a resume point at once (the stand-in only with the first event).
    if (historyUnknown) await this.ctx.startedAfresh(this, stream.resumeToken ?? undefined);
    this.open = true;
    if (this.closedAt !== undefined) {
      const how = historyUnknown ? 'started afresh' : 'resuming after the last applied event';
      this.ctx.logger.log(`change stream of ${this.collection} reopened after ${Date.now() - this.closedAt} ms closed (${how})`);
      this.closedAt = undefined;
    }
    this.ctx.opened(this);
  }

  private receive(event: FeedEvent) {
    // The stream ends after an invalidate event; the next one starts right after it.
    if (event.operationType === 'invalidate') this.startAfter = event._id;
    this.ctx.received(this.collection, eventTargets(this.source, event), event);
  }

  /**
   * The driver emits 'close' when a cursor closes, also the one it replaces while resuming by itself
   * after a network error (an 'error' follows if that fails). So a 'close' counts only if, once the
   * driver had time to resume, the stream is still closed and no error came: closed by the server
   * (e.g. after an invalidate event).
   */
  private onClose(stream: FeedStream) {
    if (this.current !== stream) return;
    setTimeout(() => {
      if (this.current !== stream || !stream.closed) return;
      this.current = undefined;
      this.open = false;
      this.closedAt ??= Date.now();
      if (this.ctx.following()) this.ctx.logger.log(`change stream of ${this.collection} closed by the server: reopening`);
      this.reopenLater();
    }, this.ctx.resumeWindowMs).unref();
  }

  private async onError(stream: FeedStream, error: Error & { code?: number }) {
    if (this.current !== stream) return;
    this.current = undefined;
    this.open = false;
    this.closedAt ??= Date.now();
    await stream.close().catch(() => undefined);
    if (!this.ctx.following()) return;
    const kind = streamErrorKind(error);
    if (kind === 'unsupported') return this.ctx.unsupported(error);
    await this.ctx.flush();
    if (kind === 'history-lost') {
      this.historyLost++;
      this.ctx.logger.warn(
        `cannot resume the change stream of ${this.collection} (${error.message}): dropping its cached namespaces and starting afresh`,
      );
      this.token = undefined;
      this.startAfter = undefined;
      await this.ctx.tokens.forget(this.collection);
    } else {
      // Logged once per outage (every attempt fails while MongoDB is unreachable); the reopening is logged too.
      const message = `change stream of ${this.collection} closed (${error.message}): reopening in ${this.retryDelayMs} ms, or as soon as MongoDB answers`;
      if (this.failures++ === 0) this.ctx.logger.warn(message);
      else this.ctx.logger.debug(message);
    }
    this.reopenLater();
  }

  private reopenLater() {
    if (!this.ctx.following()) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.start();
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.ctx.reopenMaxMs);
  }
}
