import type { Provider } from '@nestjs/common';
import { BoundedPool } from '../../common/bounded-pool';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';

/** The process's pool for image edits, OCR and PDF text extraction (HEAVY_WORK_* settings). */
export const HEAVY_WORK = Symbol('HEAVY_WORK');

export const heavyWorkProvider: Provider = {
  provide: HEAVY_WORK,
  inject: [ENV],
  useFactory: (env: Env) =>
    new BoundedPool({
      name: 'document operations',
      concurrency: env.HEAVY_WORK_CONCURRENCY,
      queueLimit: env.HEAVY_WORK_QUEUE_LIMIT,
      timeoutMs: env.HEAVY_WORK_TIMEOUT_MS,
      retryAfterSeconds: 5,
    }),
};
