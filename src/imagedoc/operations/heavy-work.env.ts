import { IsInt, Max, Min } from 'class-validator';

/** The heavy-work pool (image edits, OCR, PDF text): how many run at once, wait, and for how long. */
export class HeavyWorkEnv {
  /** CPU-heavy operations (image edits, OCR, PDF text) running at once per process. */
  @IsInt()
  @Min(1)
  @Max(64)
  HEAVY_WORK_CONCURRENCY: number = 2;

  /** Operations waiting for a slot; beyond this they get 503 with Retry-After at once. */
  @IsInt()
  @Min(0)
  @Max(10_000)
  HEAVY_WORK_QUEUE_LIMIT: number = 8;

  /** Longest an operation may run (queue wait included) before it answers 503. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HEAVY_WORK_TIMEOUT_MS: number = 30_000;
}
