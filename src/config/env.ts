import { plainToInstance, Transform } from 'class-transformer';
import { isIP } from 'node:net';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';

/** Reads the raw string: implicit conversion would already have turned "false" into true. */
const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  if (typeof raw !== 'string') return raw;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  return raw; // not a boolean: IsBoolean reports it
};

/** proxy-addr's named ranges, accepted in TRUST_PROXY beside addresses and CIDRs. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
const isProxyEntry = (entry: string) => {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !isIP(address)) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128));
};
/** `false`, `true`, a hop count, or a comma list of addresses / CIDRs / named ranges. */
const isTrustProxy = (value: unknown) =>
  typeof value === 'string' && (/^(true|false|\d{1,2})$/.test(value) || value.split(',').every((entry) => isProxyEntry(entry.trim())));

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Every environment variable the service reads. `.env.example` documents each one;
 * `validateEnv` refuses to start on a bad value and names the variable.
 */
export class Env {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @IsString()
  HOST: string = '0.0.0.0';

  /** Unset: an embedded MongoDB is started (see src/infra/embedded). */
  @IsOptional()
  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'MONGODB_URI must be a mongodb:// or mongodb+srv:// URI' })
  MONGODB_URI?: string;

  /** Database name; defaults to the one in MONGODB_URI, else "cachebook". */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,63}$/, { message: 'MONGODB_DB must be 1-63 letters, digits, "_" or "-"' })
  MONGODB_DB?: string;

  /** Unset: a local redis-server is started if one is on PATH, else the in-process tier runs alone. */
  @IsOptional()
  @Matches(/^(rediss?|redis\+sentinel|redis\+cluster):\/\/\S+$/, {
    message: 'REDIS_URL must be a redis://, rediss://, redis+sentinel://host:port,.../<master name> or redis+cluster://host:port,... URL',
  })
  REDIS_URL?: string;

  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  CACHE_TTL_SECONDS: number = 120;

  /** false: cached routes always read MongoDB (X-Cache: BYPASS); for comparison runs. */
  @IsBoolean()
  @Transform(toBoolean)
  CACHE_ENABLED: boolean = true;

  @IsBoolean()
  @Transform(toBoolean)
  CACHE_L1_ENABLED: boolean = true;

  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  CACHE_L1_TTL_SECONDS: number = 300;

  @IsInt()
  @Min(1)
  CACHE_L1_MAX_ENTRIES: number = 10_000;

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
   * other's entries. `auto`: none on the default database (`cachebook`, keeping the store project's key
   * names), `<database>:` on any other; `none`: never (one deployment per Redis, or per Redis db);
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

  /** How long a MongoDB operation waits for a reachable server before failing (503); bounds requests while MongoDB is down. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: number = 500;

  /** Mounts /demo/* (a minimal cached resource) for the cache's tests and benchmark. */
  @IsBoolean()
  @Transform(toBoolean)
  DEMO_ROUTES: boolean = false;

  /** false: this instance never follows MongoDB's change streams; outside writes then reach the cache only at TTL expiry. */
  @IsBoolean()
  @Transform(toBoolean)
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
   * Results publication: an edition's instant must be set (or moved) at least this long before it,
   * and before the instant it replaces. It is also how long an instance may decide on its last
   * reading of the schedule while Redis is unreachable; each instance re-reads it several times in it.
   */
  @IsInt()
  @Min(1)
  @Max(3600)
  RESULTS_PUBLISH_NOTICE_SECONDS: number = 30;

  /** How long warmed results stay in Redis after their edition's instant (the warm-up sets it). */
  @IsInt()
  @Min(60)
  @Max(30 * 24 * 3600)
  RESULTS_WARM_TTL_SECONDS: number = 6 * 3600;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** json: one object a line; pretty: readable, coloured on a terminal. Unset: pretty on a TTY, else json. */
  @IsOptional()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: LogFormat;

  /**
   * Embedded MongoDB only (no MONGODB_URI): the first `npm start` on an empty database seeds a small,
   * deterministic demo dataset of every module. false: start empty.
   */
  @IsBoolean()
  @Transform(toBoolean)
  DEMO_DATA: boolean = true;

  /** Bearer token for automation and the admin routes; unset disables token access. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  /**
   * HMAC secret for the users' JWT access tokens (HS256). Unset: a random secret is generated per
   * process and a warning is logged, so tokens die with the process and are not shared between
   * instances; set it (32+ characters) for any deployment with more than one instance or restarts.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Lifetime of an access token: seconds, or a number with s/m/h/d (e.g. 15m, 1h). */
  @Matches(/^\d+[smhd]?$/, { message: 'JWT_EXPIRES_IN must be seconds or a number followed by s, m, h or d' })
  JWT_EXPIRES_IN: string = '1h';

  /** Largest accepted upload (ImageDoc documents), in bytes; larger uploads get 413. */
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  UPLOAD_MAX_BYTES: number = 20 * 1024 * 1024;

  /**
   * JVM heap (-Xmx) of the MongoDB stand-in `npm start` and the CLI start when MONGODB_URI is unset and
   * no mongod is at hand. It holds every document in memory: a million students need about 6g.
   */
  @Matches(/^\d+[mg]$/i, { message: 'EMBEDDED_MONGO_MAX_HEAP must be a number followed by m or g (e.g. 768m, 6g)' })
  EMBEDDED_MONGO_MAX_HEAP: string = '768m';

  /** Memory cap of the redis-server `npm start` starts when REDIS_URL is unset (evicts cached entries only). */
  @Matches(/^\d+(kb|mb|gb)?$/i, { message: 'EMBEDDED_REDIS_MAXMEMORY must be bytes or a number followed by kb, mb or gb' })
  EMBEDDED_REDIS_MAXMEMORY: string = '256mb';

  /** Largest JSON body in bytes; larger bodies get 413 before they are read whole. */
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  JSON_BODY_MAX_BYTES: number = 1024 * 1024;

  /** Deepest nesting of objects/arrays in a JSON body; deeper bodies get 400 before parsing. */
  @IsInt()
  @Min(2)
  @Max(1000)
  JSON_MAX_DEPTH: number = 32;

  /** Images (uploads, edits, OCR) declaring more pixels than this get 413, decided from the header. */
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  IMAGE_MAX_PIXELS: number = 40_000_000;

  /** PDFs with more pages than this get 413 at upload (text extraction reads every page). */
  @IsInt()
  @Min(1)
  @Max(100_000)
  PDF_MAX_PAGES: number = 500;

  /** CPU-heavy operations (image edits, OCR, PDF text) running at once per process. */
  @IsInt()
  @Min(1)
  @Max(64)
  HEAVY_WORK_CONCURRENCY: number = 2;

  /** Operations waiting for a slot; beyond this they get 503 with Retry-After at once. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  HEAVY_WORK_QUEUE_LIMIT: number = 8;

  /** Longest an operation may run (queue wait included) before it answers 503. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HEAVY_WORK_TIMEOUT_MS: number = 30_000;

  /** argon2 hashes/verifications (64 MiB each) running at once per process. */
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY: number = 2;

  /** Logins/registrations waiting for a hashing slot; beyond this they get 503 with Retry-After. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  PASSWORD_HASH_QUEUE_LIMIT: number = 16;

  /** Length of every rate-limit window, seconds. */
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  RATE_LIMIT_WINDOW_SECONDS: number = 60;

  /** Requests per window per client IP on every route (cache hits included); 0 turns it off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_GLOBAL: number = 1200;

  /** Login attempts per window per client IP; 0 turns it off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_LOGIN_PER_IP: number = 20;

  /** Login attempts per window per account name (username or email), from any IP; 0 turns it off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_LOGIN_PER_ACCOUNT: number = 10;

  /** Registrations per window per client IP; 0 turns it off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_REGISTER_PER_IP: number = 10;

  /** Document operations (image edits, OCR, PDF text, translation) per window per user; 0 turns it off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_OPERATIONS_PER_USER: number = 30;

  /**
   * Which peers may name the client in X-Forwarded-For (the address rate limits and logs use):
   * `false` (the socket's address, the default), a comma list of proxy addresses, CIDRs or
   * `loopback`/`linklocal`/`uniquelocal`, a hop count, or `true` (any peer: only behind a proxy
   * that overwrites the header). Fastify's `trustProxy`.
   */
  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: isTrustProxy,
      defaultMessage: () =>
        'TRUST_PROXY must be false, true, a hop count, or a comma list of IP addresses, CIDRs, loopback, linklocal, uniquelocal',
    },
  })
  TRUST_PROXY: string = 'false';

  /** Bearer token for GET /metrics (16+ characters). Unset: /metrics answers 404. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** Root folder of the local filesystem storage driver (uploaded files, named by generated ids). */
  @IsString()
  STORAGE_DIR: string = '.runtime/storage';

  /** Base URL of a LibreTranslate-compatible API (POST <url>/translate). Unset: translation answers 503. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'TRANSLATE_URL must be an http:// or https:// URL' })
  TRANSLATE_URL?: string;

  /** API key sent to TRANSLATE_URL (LibreTranslate's `api_key`), if that server requires one. */
  @IsOptional()
  @IsString()
  TRANSLATE_API_KEY?: string;

  /** Where embedded databases keep their data and `npm start` records their URIs. */
  @IsString()
  RUNTIME_DIR: string = '.runtime';
}

export class InvalidEnvironmentError extends Error {}

/** Parses and validates raw variables (strings) into a typed Env, or throws naming each bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const known = Object.keys(new Env()).concat([
    'MONGODB_URI',
    'MONGODB_DB',
    'REDIS_URL',
    'LOG_FORMAT',
    'ADMIN_TOKEN',
    'JWT_SECRET',
    'TRANSLATE_URL',
    'TRANSLATE_API_KEY',
    'METRICS_TOKEN',
  ]);
  const picked: Record<string, unknown> = {};
  for (const key of known) {
    const value = raw[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const env = plainToInstance(Env, picked, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const why = Object.values(e.constraints ?? {}).join('; ');
      return `  ${e.property}=${JSON.stringify(raw[e.property])}: ${why}`;
    });
    throw new InvalidEnvironmentError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}

/**
 * TRUST_PROXY as Fastify's `trustProxy` option. A hop count becomes the function Fastify would
 * make of it (its adapter's types take no number): the first `hops` proxies are trusted.
 */
export function trustProxy(env: Pick<Env, 'TRUST_PROXY'>): boolean | string[] | ((address: string, hop: number) => boolean) {
  const value = env.TRUST_PROXY;
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value.split(',').map((entry) => entry.trim());
}

/** The database name the app uses: MONGODB_DB, else the path of MONGODB_URI, else "cachebook". */
/** The resolved CACHE_KEY_PREFIX: '' or a string ending in ':'. */
export function cacheKeyPrefix(env: Pick<Env, 'CACHE_KEY_PREFIX' | 'MONGODB_URI' | 'MONGODB_DB'>): string {
  if (env.CACHE_KEY_PREFIX === 'none') return '';
  if (env.CACHE_KEY_PREFIX !== 'auto') return `${env.CACHE_KEY_PREFIX}:`;
  const database = databaseName(env);
  return database === DEFAULT_DATABASE ? '' : `${database}:`;
}

export const DEFAULT_DATABASE = 'cachebook';

export function databaseName(env: Pick<Env, 'MONGODB_URI' | 'MONGODB_DB'>): string {
  if (env.MONGODB_DB) return env.MONGODB_DB;
  const match = env.MONGODB_URI?.match(/^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/);
  return match?.[1] || DEFAULT_DATABASE;
}
