import { IsString, Matches } from 'class-validator';

/** The embedded MongoDB and redis-server `npm start` runs when no URI is given (src/infra/embedded). */
export class EmbeddedEnv {
  /** Memory cap of the redis-server `npm start` starts when REDIS_URL is unset (evicts cached entries only). */
  @Matches(/^\d+(kb|mb|gb)?$/i, { message: 'EMBEDDED_REDIS_MAXMEMORY must be bytes or a number followed by kb, mb or gb' })
  EMBEDDED_REDIS_MAXMEMORY: string = '256mb';

  /**
   * JVM heap (-Xmx) of the MongoDB stand-in `npm start` and the CLI start when MONGODB_URI is unset and
   * no mongod is at hand. It holds every document in memory: a million students fill 6.6 GB; give it 12g (at 7g it spends its time in GC).
   */
  @Matches(/^\d+[mg]$/i, { message: 'EMBEDDED_MONGO_MAX_HEAP must be a number followed by m or g (e.g. 768m, 6g)' })
  EMBEDDED_MONGO_MAX_HEAP: string = '768m';

  /** Where embedded databases keep their data, `npm start` records their URIs, and the generated JWT secret lives (auth/jwt-secret.ts). */
  @IsString()
  RUNTIME_DIR: string = '.runtime';
}
