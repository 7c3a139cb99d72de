import type { Logger } from '@nestjs/common';
import type { mongo } from 'mongoose';
import type { CollectionFollower } from './collection-follower';
import type { FeedApplier } from './feed-applier';
import type { FeedEvent } from './feed-event';
import type { FeedTokens } from './feed-tokens';

export type FeedStream = mongo.ChangeStream<mongo.Document, FeedEvent>;

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
  /** Where received changes go (batched, applied, then their tokens stored). */
  readonly applier: Pick<FeedApplier, 'receive' | 'drop' | 'flush'>;
  /** The stream answered and delivers events. */
  opened(follower: CollectionFollower): void;
  /** The server has no change streams at all. */
  unsupported(error: Error): Promise<void>;
}
