import { IsInt, Max, Min } from 'class-validator';

/** The MongoDB connection's behaviour (src/infra/mongo); where it connects is app-wide (config/env.ts). */
export class MongoEnv {
  /** How long a MongoDB operation waits for a reachable server before failing (503); bounds requests while MongoDB is down. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: number = 500;
}
