import { IsInt, Max, Min } from 'class-validator';

/** The MongoDB connection's behaviour (src/infra/mongo) and the cost bound of searches; where it connects is app-wide (config/env.ts). */
export class MongoEnv {
  /** How long a MongoDB operation waits for a reachable server before failing (503); bounds requests while MongoDB is down. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: number = 500;

  /**
   * Longest one MongoDB operation of a request may take, everything included (the app stops waiting;
   * reads also carry it as maxTimeMS); past it, 503 with Retry-After. Bounds requests while MongoDB
   * hangs with its sockets open. Searches have their own limit (LIST_QUERY_MAX_TIME_MS).
   */
  @IsInt()
  @Min(100)
  @Max(60_000)
  MONGODB_OPERATION_TIMEOUT_MS: number = 750;

  /** Longest one MongoDB operation of a job may take (an aggregation of the crunch, a seeding batch, a cache warm-up). */
  @IsInt()
  @Min(1000)
  @Max(24 * 3600 * 1000)
  MONGODB_JOB_OPERATION_TIMEOUT_MS: number = 30 * 60 * 1000;

  /**
   * Longest a list query or search may run in MongoDB (maxTimeMS); past it, 503. Bounds a search's
   * cost whatever its input. A request's searches also stop at MONGODB_OPERATION_TIMEOUT_MS.
   */
  @IsInt()
  @Min(100)
  @Max(60_000)
  LIST_QUERY_MAX_TIME_MS: number = 2000;

  /** Text searches and client-written filters running at once per process (each may scan a collection). */
  @IsInt()
  @Min(1)
  @Max(64)
  SEARCH_CONCURRENCY: number = 2;

  /** Searches waiting for a slot; beyond this they get 503 with Retry-After at once. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  SEARCH_QUEUE_LIMIT: number = 8;
}
