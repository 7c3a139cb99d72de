import { IsInt, IsNumber, Matches, Max, Min } from 'class-validator';
import { EnvBoolean } from '../../config/env-rules';

/** The two-tier cache's variables (src/infra/cache). */
export class CacheEnv {
  /** Lifetime of cached responses in Redis (L2), seconds, less up to 10 % at random (keys stored together expire apart). */
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  CACHE_TTL_SECONDS: number = 120;

  /** false: cached routes always read MongoDB (X-Cache: BYPASS); for comparison runs. */
  @EnvBoolean()
  CACHE_ENABLED: boolean = true;

  /** false: no in-process (L1) tier; hits come from Redis only. */
  @EnvBoolean()
  CACHE_L1_ENABLED: boolean = true;

  /** Longest an entry lives in the in-process tier, seconds; never longer than its Redis copy. */
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  CACHE_L1_TTL_SECONDS: number = 300;

  /** Most entries the in-process tier holds (least recently used go first). */
  @IsInt()
  @Min(1)
  CACHE_L1_MAX_ENTRIES: number = 10_000;

  /** Most bytes of response bodies (and their compressed forms) the in-process tier holds. */
  @IsInt()
  @Min(1024)
  CACHE_L1_MAX_BYTES: number = 64 * 1024 * 1024;

  /** A Redis call slower than this counts as a failure; the cache then answers from MongoDB. */
  @IsInt()
  @Min(10)
  @Max(10_000)
  CACHE_REDIS_TIMEOUT_MS: number = 200;

  /**
   * Longest an instance keeps serving its in-process copies while its invalidation subscription
   * gives no sign of life (a hung Redis keeps the socket open); after that it reads Redis/MongoDB.
   */
  @IsInt()
  @Min(100)
  @Max(60_000)
  CACHE_COHERENCE_WINDOW_MS: number = 1000;

  /** Most list variants (distinct queries) a namespace keeps cached in Redis; it bounds a write's invalidation. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  CACHE_LIST_VARIANTS_MAX: number = 1000;

  /**
   * What goes in front of every cache key in Redis, so deployments sharing one Redis never see each
   * other's entries. `auto`: none on the default database (`cachebook`, keeping the plain key
   * names, e.g. `games:list`), `<database>:` on any other; `none`: never (one deployment per Redis, or per Redis db);
   * anything else: `<value>:`.
   */
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'CACHE_KEY_PREFIX must be auto, none, or 1-64 letters, digits, ".", "_" or "-"' })
  CACHE_KEY_PREFIX: string = 'auto';

  /** Stale-if-error: how long after expiry a cached answer may still be served while MongoDB is unreachable (0: never). */
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  CACHE_STALE_GRACE_SECONDS: number = 600;

  /** L1 entries of at least this many bytes also hold their br and gzip forms, computed once (0: never compress). */
  @IsInt()
  @Min(0)
  @Max(64 * 1024 * 1024)
  CACHE_COMPRESS_MIN_BYTES: number = 1024;

  /** Refresh-ahead: a cached entry read in this last fraction of its TTL is reloaded once in the background (0: never). */
  @IsNumber()
  @Min(0)
  @Max(0.5)
  CACHE_REFRESH_AHEAD_FRACTION: number = 0.1;
}
