import { IsInt, Max, Min } from 'class-validator';

/** The MongoDB connection's behaviour (src/infra/mongo) and the cost bound of searches; where it connects is app-wide (config/env.ts). */
export class MongoEnv {
  /** How long a MongoDB operation waits for a reachable server before failing (503); bounds requests while MongoDB is down. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: number = 500;

  /** Longest a list query or search may run in MongoDB (maxTimeMS); past it, 503. Bounds a search's cost whatever its input. */
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
