import type { Env } from '../../../config/env';
import { cacheKeyPrefix, databaseName } from '../../../config/env';

export const CACHE_SETTINGS = Symbol('CACHE_SETTINGS');

export interface CacheSettings {
  enabled: boolean;
  redisUrl?: string;
  defaultTtlSeconds: number;
  l1Enabled: boolean;
  l1TtlSeconds: number;
  l1MaxEntries: number;
  l1MaxBytes: number;
  redisTimeoutMs: number;
  /** Longest an instance serves L1 copies without proof that its invalidation subscription is live. */
  coherenceWindowMs: number;
  /** Most list variants a namespace keeps in Redis (the ones stored longest ago go first). */
  listVariantsMax: number;
  /** In front of every key in Redis ('' keeps the plain names); see CACHE_KEY_PREFIX. */
  keyPrefix: string;
  /** How long after expiry an in-process copy may still answer when the source is unreachable. */
  staleGraceMs: number;
  /** What makes instances one deployment (their database and key prefix): stored values carry its mark. */
  deployment: string;
  /** Pub/sub channel for L1 invalidations; scoped to the database so unrelated apps on one Redis stay apart. */
  channel: string;
  /** L1 entries from this size (bytes) hold br and gzip forms too; 0 never. */
  compressMinBytes: number;
  /** A read in this last fraction of an entry's TTL reloads it in the background; 0 never. */
  refreshAheadFraction: number;
  /** Fraction of the TTL removed at random so keys written together do not expire together. */
  ttlJitter: number;
  /** The change feed (MongoDB change streams → invalidations). */
  feed: FeedSettings;
}

/** The change feed's settings (CACHE_FEED_*). */
export interface FeedSettings {
  /** This instance may follow MongoDB's change streams (false: it never takes a lease). */
  enabled: boolean;
  /** Instances that follow at once, one lease each. */
  followers: number;
  /** Lifetime of a follower's lease in Redis: a dead follower is replaced within it. */
  leaseMs: number;
  /** Change events are coalesced this long into one round of invalidations. */
  batchMs: number;
  /** Past this many changed ids of one namespace in one batch, the namespace is dropped whole. */
  maxIds: number;
  /** Longest wait between attempts to reopen a closed stream. */
  reopenMaxMs: number;
  /** API writes record their invalidation with MongoDB's operationTime; followers skip those writes' events. */
  skipApiWrites: boolean;
}

export function cacheSettingsFrom(env: Env): CacheSettings {
  return {
    enabled: env.CACHE_ENABLED,
    redisUrl: env.REDIS_URL,
    defaultTtlSeconds: env.CACHE_TTL_SECONDS,
    l1Enabled: env.CACHE_L1_ENABLED,
    l1TtlSeconds: env.CACHE_L1_TTL_SECONDS,
    l1MaxEntries: env.CACHE_L1_MAX_ENTRIES,
    l1MaxBytes: env.CACHE_L1_MAX_BYTES,
    redisTimeoutMs: env.CACHE_REDIS_TIMEOUT_MS,
    coherenceWindowMs: env.CACHE_COHERENCE_WINDOW_MS,
    listVariantsMax: env.CACHE_LIST_VARIANTS_MAX,
    keyPrefix: cacheKeyPrefix(env),
    staleGraceMs: env.CACHE_STALE_GRACE_SECONDS * 1000,
    deployment: `${databaseName(env)}\0${cacheKeyPrefix(env)}`,
    channel: `cache:invalidate:${databaseName(env)}`,
    compressMinBytes: env.CACHE_COMPRESS_MIN_BYTES,
    refreshAheadFraction: env.CACHE_REFRESH_AHEAD_FRACTION,
    ttlJitter: 0.1,
    feed: {
      enabled: env.CACHE_FEED_ENABLED,
      followers: env.CACHE_FEED_FOLLOWERS,
      leaseMs: env.CACHE_FEED_LEASE_MS,
      batchMs: env.CACHE_FEED_BATCH_MS,
      maxIds: env.CACHE_FEED_MAX_IDS,
      reopenMaxMs: env.CACHE_FEED_REOPEN_MAX_MS,
      skipApiWrites: env.CACHE_FEED_SKIP_API_WRITES,
    },
  };
}
