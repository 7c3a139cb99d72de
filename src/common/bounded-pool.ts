import { RetryLaterException } from './retry-later.exception';

export interface BoundedPoolOptions {
  /** What the work is, for messages ("image operations"). */
  name: string;
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs waiting for a slot; one more is refused at once (503 + Retry-After). */
  queueLimit: number;
  /** A job not finished this long after it was submitted answers 503 (queue wait included). */
  timeoutMs?: number;
  /** Seconds the refusal asks the client to wait. */
  retryAfterSeconds?: number;
}

interface Waiter {
  start: () => void;
}

/**
 * Runs CPU- or memory-heavy jobs with bounded concurrency and a bounded queue, so a burst of
 * requests waits in a short line or is refused, instead of piling up work nobody can finish.
 * A timed-out job's caller gets its 503 at the deadline, but the job keeps its slot until it
 * really ends (libvips and argon2 cannot be interrupted): the bound on concurrent work holds.
 */
export class BoundedPool {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly options: BoundedPoolOptions) {}

  get stats() {
    return { running: this.running, queued: this.queue.length };
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    const { name, concurrency, queueLimit, timeoutMs } = this.options;
    const retryAfter = this.options.retryAfterSeconds ?? 1;
    if (this.running >= concurrency && this.queue.length >= queueLimit) {
      return Promise.reject(new RetryLaterException(503, `too many ${name} in progress; retry in ${retryAfter} s`, retryAfter));
    }
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        fn();
      };
      const start = () => {
        this.running++;
        job()
          .then(
            (value) => settle(() => resolve(value)),
            (error: unknown) => settle(() => reject(error)),
          )
          .finally(() => {
            this.running--;
            this.next();
          });
      };
      const waiter: Waiter = { start };
      const timer = timeoutMs
        ? setTimeout(() => {
            const index = this.queue.indexOf(waiter);
            if (index !== -1) this.queue.splice(index, 1);
            settle(() => reject(new RetryLaterException(503, `${name} took longer than ${timeoutMs} ms; retry later`, retryAfter)));
          }, timeoutMs)
        : undefined;
      timer?.unref();
      if (this.running < concurrency) start();
      else this.queue.push(waiter);
    });
  }

  private next() {
    const waiter = this.queue.shift();
    waiter?.start();
  }
}
