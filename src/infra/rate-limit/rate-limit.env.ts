import { IsInt, Max, Min } from 'class-validator';

/** Rate limits (src/infra/rate-limit), counted in Redis; 0 turns a limit off. */
export class RateLimitEnv {
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

  /**
   * Failed logins per window per account (its username and e-mail count as one) from addresses
   * that have not logged in to it in the last LOGIN_TRUST_DAYS; past it those addresses get 429,
   * trusted ones are not held back. 0 turns it off.
   */
  @IsInt()
  @Min(0)
  RATE_LIMIT_LOGIN_PER_ACCOUNT: number = 10;

  /** Days an address that logged in to an account stays exempt from that account's failure limit (0: never exempt). */
  @IsInt()
  @Min(0)
  @Max(365)
  LOGIN_TRUST_DAYS: number = 30;

  /** Registrations per window per client IP; 0 turns it off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_REGISTER_PER_IP: number = 10;

  /** Document operations (image edits, OCR, PDF text, translation) per window per user; 0 turns it off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_OPERATIONS_PER_USER: number = 30;

  /** Uploads (new documents and replaced files) per window per user; 0 turns it off. */
  @IsInt()
  @Min(0)
  RATE_LIMIT_UPLOADS_PER_USER: number = 20;
}
