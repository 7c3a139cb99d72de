import { IsInt, Max, Min } from 'class-validator';

/** The password-hashing pool (src/users): argon2 is CPU- and memory-heavy, so it runs a few at a time. */
export class UsersEnv {
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
}
