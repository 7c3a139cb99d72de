import { RetryLaterException } from './retry-later.exception';

export interface FairPoolOptions {
  /** What the work is, for messages ("document operations"). */
  name: string;
  /** Jobs running at once, all owners together. */
  concurrency: number;
  /** Jobs one owner may run at once; below `concurrency`, one owner alone can never fill every slot. */
  perOwnerConcurrency: number;
  /** Jobs waiting, all owners together; one more is refused at once (503 + Retry-After). */
  queueLimit: number;
  /** Jobs one owner may have waiting; one more is refused at once, whatever the others do. */
  perOwnerQueueLimit: number;
  /** A job still waiting for a slot this long after it arrived is dropped with a 503 (it never runs). */
  queueTimeoutMs: number;
  /** Seconds the refusal asks the client to wait. */
  retryAfterSeconds: number;
}

interface Waiter {
  owner: string;
  start: () => void;
  timer?: NodeJS.Timeout;
}

/**
 * Runs heavy jobs with bounded concurrency and bounded queues, shared fairly between owners
 * (accounts, or addresses for anonymous callers):
 * - an owner runs at most `perOwnerConcurrency` jobs at once and queues at most `perOwnerQueueLimit`;
 * - a freed slot goes to the waiting owner that started a job longest ago (round-robin over the
 *   owners with waiting jobs; each owner's own jobs first come, first served), never to whoever
 *   queued the most.
 * So a job waits behind at most one job of each other owner in the rotation, and an owner alone
 * never makes another wait when `perOwnerConcurrency` < `concurrency`. The pool does not time out
 * running jobs: the job itself must end (the worker running it is killed at its budget), and its
 * slot is handed on only then, so the bound on concurrent work holds.
 */
export class FairPool {
  private running = 0;
  private queued = 0;
  private readonly runningBy = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>();
  /** When each active owner last started a job (a counter): the next slot goes to the one served longest ago. */
  private readonly lastStart = new Map<string, number>();
  private starts = 0;

  constructor(private readonly options: FairPoolOptions) {}

  get stats() {
    return { running: this.running, queued: this.queued, owners: new Set([...this.runningBy.keys(), ...this.queues.keys()]).size };
  }

  /** Jobs of one owner running and waiting. */
  statsOf(owner: string) {
    return { running: this.runningBy.get(owner) ?? 0, queued: this.queues.get(owner)?.length ?? 0 };
  }

  run<T>(owner: string, job: () => Promise<T>): Promise<T> {
    const { name, queueLimit, perOwnerQueueLimit, queueTimeoutMs, retryAfterSeconds } = this.options;
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        this.runningBy.set(owner, (this.runningBy.get(owner) ?? 0) + 1);
        this.lastStart.set(owner, ++this.starts);
        let outcome: Promise<T>;
        try {
          outcome = job();
        } catch (error) {
          outcome = Promise.reject(error as Error);
        }
        outcome.then(resolve, reject).finally(() => this.finished(owner));
      };
      if (this.canStart(owner) && !this.queues.has(owner)) return start();

      const mine = this.queues.get(owner)?.length ?? 0;
      if (mine >= perOwnerQueueLimit || this.queued >= queueLimit) {
        const why = mine >= perOwnerQueueLimit ? `you have ${mine} ${name} waiting already` : `too many ${name} in progress`;
        return reject(new RetryLaterException(503, `${why}; retry in ${retryAfterSeconds} s`, retryAfterSeconds));
      }
      const waiter: Waiter = { owner, start };
      this.enqueue(waiter);
      waiter.timer = setTimeout(() => {
        if (!this.dequeue(waiter)) return;
        reject(new RetryLaterException(503, `${name}: no slot was free within ${queueTimeoutMs} ms; retry later`, retryAfterSeconds));
      }, queueTimeoutMs);
      waiter.timer.unref();
    });
  }

  private canStart(owner: string): boolean {
    return this.running < this.options.concurrency && (this.runningBy.get(owner) ?? 0) < this.options.perOwnerConcurrency;
  }

  private finished(owner: string) {
    this.running--;
    const left = (this.runningBy.get(owner) ?? 1) - 1;
    if (left > 0) this.runningBy.set(owner, left);
    else this.runningBy.delete(owner);
    this.forgetIfIdle(owner);
    this.dispatch();
  }

  /** Hands free slots to waiting jobs: each to the owner served longest ago (round-robin), its oldest job first. */
  private dispatch() {
    while (this.running < this.options.concurrency) {
      let next: string | undefined;
      for (const owner of this.queues.keys()) {
        if (!this.canStart(owner)) continue;
        if (next === undefined || (this.lastStart.get(owner) ?? 0) < (this.lastStart.get(next) ?? 0)) next = owner;
      }
      if (next === undefined) return;
      const queue = this.queues.get(next)!;
      const waiter = queue.shift()!;
      this.queued--;
      if (!queue.length) this.queues.delete(next);
      clearTimeout(waiter.timer);
      waiter.start();
    }
  }

  /** An owner with nothing running or waiting leaves the rotation; when it comes back it is served first. */
  private forgetIfIdle(owner: string) {
    if (!this.runningBy.has(owner) && !this.queues.has(owner)) this.lastStart.delete(owner);
  }

  private enqueue(waiter: Waiter) {
    const queue = this.queues.get(waiter.owner);
    if (queue) queue.push(waiter);
    else this.queues.set(waiter.owner, [waiter]);
    this.queued++;
  }

  private dequeue(waiter: Waiter): boolean {
    const queue = this.queues.get(waiter.owner);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index === -1) return false;
    queue.splice(index, 1);
    this.queued--;
    if (!queue.length) this.queues.delete(waiter.owner);
    this.forgetIfIdle(waiter.owner);
    return true;
  }
}
