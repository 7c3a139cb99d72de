import type { OwnWriteCheck } from './own-writes';

/**
 * What the change feed needs from the cache: the one place where it is wired to the cache's
 * invalidation methods (ChangeFeedModule provides it), so that the feed itself depends on this
 * port only.
 */
export interface FeedInvalidations {
  /**
   * Drops the ids' keys and every list of the namespace from both tiers on every instance.
   * Resolves once Redis applied it, or once the cache queued it for replay (Redis unreachable).
   */
  invalidate(namespace: string, ids: readonly string[]): Promise<void>;
  /**
   * Deletes every key under `prefix` from both tiers on every instance. False when Redis did not
   * apply it or the other instances were not told (Redis unreachable): the feed retries it.
   */
  clear(prefix: string): Promise<boolean>;
  /**
   * For each key, whether the API recorded invalidating it after its own write at `time` (the
   * change event's clusterTime): such an event is skipped (see AppliedWrites).
   */
  ownWrites(checks: readonly OwnWriteCheck[]): Promise<boolean[]>;
}

export const FEED_INVALIDATIONS = Symbol('FEED_INVALIDATIONS');
