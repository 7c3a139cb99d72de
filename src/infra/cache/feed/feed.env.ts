import { IsInt, Max, Min } from 'class-validator';
import { EnvBoolean } from '../../../config/env-rules';

/** The change feed's variables (src/infra/cache/feed). */
export class FeedEnv {
  /** false: this instance never follows MongoDB's change streams; outside writes then reach the cache only at TTL expiry. */
  @EnvBoolean()
  CACHE_FEED_ENABLED: boolean = true;

  /** Lifetime of the change-feed leader's lease in Redis: a dead leader is replaced within this. */
  @IsInt()
  @Min(300)
  @Max(60_000)
  CACHE_FEED_LEASE_MS: number = 5000;

  /**
   * Instances that follow the change streams at once (each holds a lease). 2: an instance that dies
   * between its write and its invalidation while following leaves the other one following, so
   * outside-the-API staleness does not wait for a lease to expire; the price is one invalidation
   * per follower for each change.
   */
  @IsInt()
  @Min(1)
  @Max(3)
  CACHE_FEED_FOLLOWERS: number = 2;

  /** Change events are coalesced this long into one round of invalidations. */
  @IsInt()
  @Min(1)
  @Max(1000)
  CACHE_FEED_BATCH_MS: number = 25;

  /** Past this many changed ids of one namespace in one batch, the whole namespace is dropped instead. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  CACHE_FEED_MAX_IDS: number = 500;

  /**
   * Longest wait between attempts to reopen a change stream that closed (MongoDB unreachable,
   * restarting, an election). The feed also reopens at once when the driver sees MongoDB answer again.
   */
  @IsInt()
  @Min(100)
  @Max(30_000)
  CACHE_FEED_REOPEN_MAX_MS: number = 1000;

  /**
   * true: a write made through the API records the invalidation it made, with the operationTime
   * MongoDB answered it with, and the change feed skips that write's change event instead of
   * invalidating it again (one invalidation per API write instead of one plus one per follower).
   * The API's model writes run in an explicit session, where the driver keeps their operationTime
   * (see docs/cache/change-feed.md). false: every event is invalidated by every follower.
   */
  @EnvBoolean()
  CACHE_FEED_SKIP_API_WRITES: boolean = true;
}
