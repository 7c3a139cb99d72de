import { HttpException, Inject, Injectable, OnModuleDestroy, PayloadTooLargeException, UnprocessableEntityException } from '@nestjs/common';
import { extname, join } from 'node:path';
import { FairPool } from '../../common/fair-pool';
import { RetryLaterException } from '../../common/retry-later.exception';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { JobFailedError, JobLimitError, WorkerCrashedError } from '../../infra/workers/worker-process';
import { WorkerSet } from '../../infra/workers/worker-set';
import type { EditJob, HeavyJob, OcrJob, OcrResult, PdfJob, PdfResult } from './jobs';
import { REFUSED } from './jobs';

const MiB = 1024 * 1024;
const RETRY_AFTER_SECONDS = 5;

/** The worker script beside this file: compiled JavaScript in production, TypeScript run by Node itself in tests. */
const WORKER_ENTRY = join(__dirname, `heavy-worker${extname(__filename)}`);

/** 422: the worker could not read the content (damaged, encrypted, not what it claims); an upload answers it with 415. */
export class UnreadableContentException extends UnprocessableEntityException {
  constructor(
    what: string,
    readonly reason: string,
  ) {
    super(`${what} failed: ${reason}`);
  }
}

/** Whose turn a job is: the account, or the address of an anonymous caller. */
export type WorkOwner = { userId: string } | { address: string };

const ownerKey = (owner: WorkOwner) => ('userId' in owner ? `user:${owner.userId}` : `address:${owner.address}`);

type JobInput<J extends HeavyJob> = Omit<J, 'kind' | 'data'>;

/**
 * PDF reading, image edits and OCR, run outside the API process: in worker processes (one per
 * slot, kept warm) whose memory, CPU time and run time are bounded (HEAVY_WORK_*), scheduled
 * fairly between accounts by a FairPool. A job past a limit is killed and answered with the
 * limit's name: 413 memory or content limits, 422 CPU time or unreadable content, 503 run time
 * or no slot in time (Retry-After). The API process holds only the job's input and output.
 */
@Injectable()
export class HeavyWork implements OnModuleDestroy {
  private readonly pool: FairPool;
  private readonly workers: WorkerSet;

  constructor(@Inject(ENV) private readonly env: Env) {
    this.pool = new FairPool({
      name: 'document operations',
      concurrency: env.HEAVY_WORK_CONCURRENCY,
      perOwnerConcurrency: env.HEAVY_WORK_PER_USER_CONCURRENCY,
      queueLimit: env.HEAVY_WORK_QUEUE_LIMIT,
      perOwnerQueueLimit: env.HEAVY_WORK_PER_USER_QUEUE_LIMIT,
      queueTimeoutMs: env.HEAVY_WORK_QUEUE_TIMEOUT_MS,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
    const maxRssBytes = env.HEAVY_WORK_MAX_RSS_MB * MiB;
    this.workers = new WorkerSet({
      name: 'heavy work',
      entry: WORKER_ENTRY,
      execArgv: [
        // V8's heap stops below the process limit, so a runaway JavaScript heap fails the job with a clear cause.
        `--max-old-space-size=${env.HEAVY_WORK_MAX_RSS_MB}`,
        ...(WORKER_ENTRY.endsWith('.ts')
          ? ['--disable-warning=ExperimentalWarning', '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON']
          : []),
      ],
      size: env.HEAVY_WORK_CONCURRENCY,
      limits: { maxRssBytes, cpuMs: env.HEAVY_WORK_CPU_MS, timeoutMs: env.HEAVY_WORK_TIMEOUT_MS },
      recycleRssBytes: maxRssBytes / 2,
    });
  }

  get stats() {
    return { ...this.pool.stats, workers: this.workers.stats };
  }

  statsOf(owner: WorkOwner) {
    return this.pool.statsOf(ownerKey(owner));
  }

  /** Page count, and the text of every page `withText`; the PDF's inflated size is bounded first. */
  readPdf(owner: WorkOwner, data: Buffer, withText: boolean): Promise<PdfResult> {
    const input: JobInput<PdfJob> = {
      withText,
      maxInflatedBytes: this.env.PDF_MAX_INFLATED_BYTES,
      maxPages: this.env.PDF_MAX_PAGES,
      maxTextBytes: this.env.UPLOAD_MAX_BYTES,
    };
    return this.run(owner, 'reading the PDF', { kind: 'pdf', data, ...input });
  }

  /** Applies one image edit; the result is at most IMAGE_MAX_OUTPUT_PIXELS and UPLOAD_MAX_BYTES. */
  async editImage(owner: WorkOwner, data: Buffer, edit: Pick<EditJob, 'mime' | 'type' | 'params'>): Promise<Buffer> {
    const input: JobInput<EditJob> = {
      ...edit,
      maxInputPixels: this.env.IMAGE_MAX_PIXELS,
      maxOutputPixels: this.env.IMAGE_MAX_OUTPUT_PIXELS,
      maxOutputBytes: this.env.UPLOAD_MAX_BYTES,
    };
    const result = await this.run<{ data: Uint8Array }>(owner, 'editing the image', { kind: 'edit', data, ...input });
    return Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength);
  }

  recognizeText(owner: WorkOwner, data: Buffer): Promise<OcrResult> {
    const input: JobInput<OcrJob> = { maxInputPixels: this.env.IMAGE_MAX_PIXELS, maxOcrPixels: this.env.OCR_MAX_PIXELS };
    return this.run(owner, 'text recognition', { kind: 'ocr', data, ...input });
  }

  async onModuleDestroy() {
    await this.workers.close();
  }

  private async run<T>(owner: WorkOwner, what: string, job: HeavyJob): Promise<T> {
    try {
      return (await this.pool.run(ownerKey(owner), () => this.workers.run(job))) as T;
    } catch (error) {
      throw this.answer(what, error);
    }
  }

  /** The HTTP answer to a failed job, naming the limit it passed and the setting behind it. */
  private answer(what: string, error: unknown): Error {
    if (error instanceof HttpException) return error;
    if (error instanceof JobLimitError) {
      const stopped = `${what} ${error.message} and was stopped`;
      if (error.limit === 'memory')
        return new PayloadTooLargeException(`${stopped} (HEAVY_WORK_MAX_RSS_MB=${this.env.HEAVY_WORK_MAX_RSS_MB})`);
      if (error.limit === 'cpu') return new UnprocessableEntityException(`${stopped} (HEAVY_WORK_CPU_MS=${this.env.HEAVY_WORK_CPU_MS})`);
      return new RetryLaterException(503, `${stopped} (HEAVY_WORK_TIMEOUT_MS=${this.env.HEAVY_WORK_TIMEOUT_MS})`, RETRY_AFTER_SECONDS);
    }
    if (error instanceof JobFailedError) {
      const setting = LIMIT_SETTINGS[error.code];
      if (setting) return new PayloadTooLargeException(`${error.message} (${setting})`);
      if (error.code === REFUSED.unreadable) return new UnreadableContentException(what, error.message);
      return new UnprocessableEntityException(`${what} failed: ${error.message}`);
    }
    if (error instanceof WorkerCrashedError) return new UnprocessableEntityException(`${what} failed: ${error.message}`);
    return error as Error;
  }
}

/** Content limits the worker enforces, by refusal code, with the setting that sets each. */
const LIMIT_SETTINGS: Record<string, string> = {
  [REFUSED.inflate]: 'PDF_MAX_INFLATED_BYTES',
  [REFUSED.pages]: 'PDF_MAX_PAGES',
  [REFUSED.pixels]: 'IMAGE_MAX_PIXELS',
  [REFUSED.outputPixels]: 'IMAGE_MAX_OUTPUT_PIXELS',
  [REFUSED.outputBytes]: 'UPLOAD_MAX_BYTES',
};
