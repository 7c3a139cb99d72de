import type { mongo } from 'mongoose';
import { clusterTime, commitTime, eventTargets, FeedEvent } from './feed-event';
import { streamErrorKind } from './feed-errors';
import { FeedReopener } from './feed-reopener';
import type { FeedSource } from './feed-source';
import type { FeedStream, FollowerContext } from './follower-context';

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
  private readonly reopener: FeedReopener;
  /** Streams reopened from a stored token; restarts because the token had left the oplog. */
  resumes = 0;
  historyLost = 0;

  constructor(
    readonly source: FeedSource,
    private readonly ctx: FollowerContext,
  ) {
    this.reopener = new FeedReopener(ctx.reopenMaxMs);
  }

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
    if (this.current || this.open || !this.ctx.following()) return false;
    return this.reopener.now(() => void this.start());
  }

  async stop(): Promise<void> {
    this.reopener.cancel();
    const stream = this.current;
    this.current = undefined;
    this.open = false;
    await stream?.close().catch(() => undefined);
  }

  private async onOpen(stream: FeedStream, historyUnknown: boolean) {
    if (this.current !== stream) return;
    const closedMs = this.reopener.opened();
    // MongoDB gives a resume point at once (the stand-in only with the first event).
    if (historyUnknown) {
      // Changes before this stream may never have been applied: drop what the collection feeds first.
      this.ctx.applier.drop(this.collection, this.source.everything, stream.resumeToken ?? undefined);
      await this.ctx.applier.flush();
    }
    this.open = true;
    if (closedMs !== undefined) {
      const how = historyUnknown ? 'started afresh' : 'resuming after the last applied event';
      this.ctx.logger.log(`change stream of ${this.collection} reopened after ${closedMs} ms closed (${how})`);
    }
    this.ctx.opened(this);
  }

  private receive(event: FeedEvent) {
    // The stream ends after an invalidate event; the next one starts right after it.
    if (event.operationType === 'invalidate') this.startAfter = event._id;
    this.ctx.applier.receive(this.collection, eventTargets(this.source, event), event._id, commitTime(event), clusterTime(event));
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
      this.reopener.closed();
      if (this.ctx.following()) this.ctx.logger.log(`change stream of ${this.collection} closed by the server: reopening`);
      this.reopenLater();
    }, this.ctx.resumeWindowMs).unref();
  }

  private async onError(stream: FeedStream, error: Error & { code?: number }) {
    if (this.current !== stream) return;
    this.current = undefined;
    this.open = false;
    this.reopener.closed();
    await stream.close().catch(() => undefined);
    if (!this.ctx.following()) return;
    const kind = streamErrorKind(error);
    if (kind === 'unsupported') return this.ctx.unsupported(error);
    // What was received is applied before reopening from the stored tokens.
    await this.ctx.applier.flush();
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
      const message = `change stream of ${this.collection} closed (${error.message}): reopening in ${this.reopener.nextDelayMs} ms, or as soon as MongoDB answers`;
      if (this.reopener.failures++ === 0) this.ctx.logger.warn(message);
      else this.ctx.logger.debug(message);
    }
    this.reopenLater();
  }

  private reopenLater() {
    if (this.ctx.following()) this.reopener.schedule(() => void this.start());
  }
}
