import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/** Reads the raw string: implicit conversion would already have turned "false" into true. */
const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  if (typeof raw !== 'string') return raw;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  return raw; // not a boolean: IsBoolean reports it
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
  @Matches(/^(rediss?|redis\+sentinel):\/\/\S+$/, {
    message: 'REDIS_URL must be a redis://, rediss:// or redis+sentinel://host:port,.../<master name> URL',
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
   * other's entries. `auto`: none on the default database (`cachebook`, keeping seed 002's key
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

  /** How long a MongoDB operation waits for a reachable server before failing (503); bounds requests while MongoDB is down. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: number = 500;

  /** Mounts /demo/* (a minimal cached resource) for the cache's tests and benchmark. */
  @IsBoolean()
  @Transform(toBoolean)
  DEMO_ROUTES: boolean = false;

  /** false: no MongoDB change stream on students; cached students then follow outside writes only at TTL expiry. */
  @IsBoolean()
  @Transform(toBoolean)
  STUDENTS_WATCHER_ENABLED: boolean = true;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

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
    'ADMIN_TOKEN',
    'JWT_SECRET',
    'TRANSLATE_URL',
    'TRANSLATE_API_KEY',
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
