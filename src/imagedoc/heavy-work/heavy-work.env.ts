import { IsInt, Max, Min } from 'class-validator';

/** The heavy-work pool (image edits, OCR, PDF reading): worker processes, their limits, and fair shares between accounts. */
export class HeavyWorkEnv {
  /** Heavy jobs (image edits, OCR, PDF reading) running at once per process, each in its own worker process. */
  @IsInt()
  @Min(1)
  @Max(64)
  HEAVY_WORK_CONCURRENCY: number = 2;

  /** Heavy jobs one account (or address) may run at once; below HEAVY_WORK_CONCURRENCY, one account never fills every slot. */
  @IsInt()
  @Min(1)
  @Max(64)
  HEAVY_WORK_PER_USER_CONCURRENCY: number = 1;

  /** Heavy jobs waiting for a slot, all accounts together; beyond this they get 503 with Retry-After at once. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  HEAVY_WORK_QUEUE_LIMIT: number = 8;

  /** Heavy jobs one account (or address) may have waiting; beyond this its next one gets 503 at once. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  HEAVY_WORK_PER_USER_QUEUE_LIMIT: number = 2;

  /**
   * Longest a heavy job waits for a slot; then 503 with Retry-After, and it never runs. Twice the run
   * budget by default: an account's second job waits out its first, then its turn among the others.
   */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HEAVY_WORK_QUEUE_TIMEOUT_MS: number = 60_000;

  /** Longest one heavy job may run (wall clock); past it its worker is killed and the caller gets 503. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HEAVY_WORK_TIMEOUT_MS: number = 30_000;

  /** CPU time one heavy job may use (all threads of its worker); past it the worker is killed and the caller gets 422. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HEAVY_WORK_CPU_MS: number = 20_000;

  /** Resident memory of one heavy-work process (libraries included, about 100-270 MiB); past it the worker is killed, 413. */
  @IsInt()
  @Min(128)
  @Max(64 * 1024)
  HEAVY_WORK_MAX_RSS_MB: number = 768;
}
