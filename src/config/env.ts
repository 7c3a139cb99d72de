import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { getMetadataStorage, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { AuthEnv } from '../auth/auth.env';
import { HeavyWorkEnv } from '../imagedoc/heavy-work/heavy-work.env';
import { TranslateEnv } from '../imagedoc/operations/translate.env';
import { ImagedocEnv } from '../imagedoc/imagedoc.env';
import { CacheEnv } from '../infra/cache/cache.env';
import { FeedEnv } from '../infra/cache/feed/feed.env';
import { EmbeddedEnv } from '../infra/embedded/embedded.env';
import { HttpEnv } from '../infra/http/http.env';
import { MetricsEnv } from '../infra/metrics/metrics.env';
import { MongoEnv } from '../infra/mongo/mongo.env';
import { RateLimitEnv } from '../infra/rate-limit/rate-limit.env';
import { StudentsEnv } from '../students/students.env';
import { UsersEnv } from '../users/users.env';
import { EnvBoolean } from './env-rules';

export { trustProxy } from '../infra/http/http.env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The variables every part of the app reads: where it listens, where its databases are, how it logs. */
export class AppEnv {
  /** Port the API listens on. */
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  /** Interface to bind; 127.0.0.1 keeps the API local to this machine. */
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

  /** Least severe level logged (pino levels; `silent` logs nothing). */
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
  @EnvBoolean()
  DEMO_DATA: boolean = true;

  /** Mounts /demo/* (a minimal cached resource) for the cache's tests and benchmark. */
  @EnvBoolean()
  DEMO_ROUTES: boolean = false;

  /**
   * `production`: JWT_SECRET is required, and the server refuses to start with neither ADMIN_TOKEN nor
   * a manager account (config/production.ts). Anything else is a local deployment (a generated secret in RUNTIME_DIR).
   */
  @IsOptional()
  @IsString()
  NODE_ENV?: string;
}

/**
 * Every module's slice of the configuration, each declared in the module's own folder
 * (`<module>.env.ts`: a class of validated variables with their defaults). A module that reads a
 * new variable adds it to its slice, and a new slice is added here; `.env.example` lists every
 * variable with its default (src/config/env-example.spec.ts checks it).
 */
export const ENV_SLICES = [
  AppEnv,
  MongoEnv,
  EmbeddedEnv,
  HttpEnv,
  CacheEnv,
  FeedEnv,
  RateLimitEnv,
  MetricsEnv,
  AuthEnv,
  UsersEnv,
  ImagedocEnv,
  HeavyWorkEnv,
  TranslateEnv,
  StudentsEnv,
] as const;

type Slice = (typeof ENV_SLICES)[number];
type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

/** Every environment variable the service reads: the slices, composed. Read it through `@Inject(ENV) env: Env`. */
export type Env = UnionToIntersection<InstanceType<Slice>>;

export class InvalidEnvironmentError extends Error {}

/** The variables a slice declares: every property with a validation rule (optional ones included). */
export function sliceVariables(slice: Slice): string[] {
  const rules = getMetadataStorage().getTargetValidationMetadatas(slice, '', false, false);
  return [...new Set(rules.map((rule) => rule.propertyName))];
}

/** Parses and validates raw variables (strings) into a typed Env, or throws naming each bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const env: Record<string, unknown> = {};
  const lines: string[] = [];
  for (const slice of ENV_SLICES) {
    const picked: Record<string, unknown> = {};
    for (const key of sliceVariables(slice)) {
      const value = raw[key];
      if (value !== undefined && value !== '') picked[key] = value;
    }
    const values = plainToInstance(slice as ClassConstructor<object>, picked, {
      enableImplicitConversion: true,
      exposeDefaultValues: true,
    });
    for (const error of validateSync(values, { skipMissingProperties: false })) {
      const why = Object.values(error.constraints ?? {}).join('; ');
      lines.push(`  ${error.property}=${JSON.stringify(raw[error.property])}: ${why}`);
    }
    Object.assign(env, values);
  }
  if (lines.length > 0) throw new InvalidEnvironmentError(`Invalid configuration:\n${lines.join('\n')}`);
  return env as unknown as Env;
}

/** The resolved CACHE_KEY_PREFIX: '' or a string ending in ':'. */
export function cacheKeyPrefix(env: Pick<Env, 'CACHE_KEY_PREFIX' | 'MONGODB_URI' | 'MONGODB_DB'>): string {
  if (env.CACHE_KEY_PREFIX === 'none') return '';
  if (env.CACHE_KEY_PREFIX !== 'auto') return `${env.CACHE_KEY_PREFIX}:`;
  const database = databaseName(env);
  return database === DEFAULT_DATABASE ? '' : `${database}:`;
}

export const DEFAULT_DATABASE = 'cachebook';

/** The database name the app uses: MONGODB_DB, else the path of MONGODB_URI, else "cachebook". */
export function databaseName(env: Pick<Env, 'MONGODB_URI' | 'MONGODB_DB'>): string {
  if (env.MONGODB_DB) return env.MONGODB_DB;
  const match = env.MONGODB_URI?.match(/^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/);
  return match?.[1] || DEFAULT_DATABASE;
}
