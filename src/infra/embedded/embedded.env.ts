import { IsString, Matches } from 'class-validator';

/** The embedded MongoDB and redis-server `npm start` runs when no URI is given (src/infra/embedded). */
export class EmbeddedEnv {
  /** Memory cap of the redis-server `npm start` starts when REDIS_URL is unset (evicts cached entries only). */
  @Matches(/^\d+(kb|mb|gb)?$/i, { message: 'EMBEDDED_REDIS_MAXMEMORY must be bytes or a number followed by kb, mb or gb' })
  EMBEDDED_REDIS_MAXMEMORY: string = '256mb';

  /** Where embedded databases keep their data, `npm start` records their URIs, and the generated JWT secret lives (auth/jwt-secret.ts). */
  @IsString()
  RUNTIME_DIR: string = '.runtime';
}
