import { IsInt, Max, Min } from 'class-validator';

/** Accounts (src/users): the password-hashing pool (argon2 is CPU- and memory-heavy, so it runs a few at a time) and storage quotas. */
export class UsersEnv {
  /** Bytes of stored files (uploads and derived documents) one account may own; past it uploads and edits get 413. */
  @IsInt()
  @Min(0)
  @Max(1024 * 1024 * 1024 * 1024)
  STORAGE_QUOTA_BYTES: number = 1024 * 1024 * 1024;

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

  /** Password checks one client address may have running or waiting at once; more get 429 (0: no cap). */
  @IsInt()
  @Min(0)
  @Max(10_000)
  PASSWORD_HASH_PER_ADDRESS: number = 2;

  /** Password checks for one account from addresses not trusted for it, running or waiting at once; more get 429 (0: no cap). */
  @IsInt()
  @Min(0)
  @Max(10_000)
  PASSWORD_HASH_PER_ACCOUNT: number = 2;
}
