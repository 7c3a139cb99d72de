import { BoundedPool } from './bounded-pool';
import { RetryLaterException } from './retry-later.exception';

/** A job that ends when `release` is called. */
function held() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { job: () => done, release };
}

describe('BoundedPool', () => {
  it('runs at most `concurrency` jobs, queues up to `queueLimit`, refuses the next with 503 + Retry-After', async () => {
    const pool = new BoundedPool({ name: 'jobs', concurrency: 2, queueLimit: 1, retryAfterSeconds: 3 });
    const jobs = [held(), held(), held()];
    const results = jobs.map((j) => pool.run(j.job));
    expect(pool.stats).toEqual({ running: 2, queued: 1 });
    const refused = await pool.run(() => Promise.resolve('x')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RetryLaterException);
    expect((refused as RetryLaterException).getStatus()).toBe(503);
    expect((refused as RetryLaterException).retryAfterSeconds).toBe(3);
    jobs[0].release();
    await results[0];
    await new Promise((r) => setImmediate(r)); // the slot is handed on after the caller is answered
    expect(pool.stats).toEqual({ running: 2, queued: 0 });
    jobs[1].release();
    jobs[2].release();
    await Promise.all(results);
    await new Promise((r) => setImmediate(r));
    expect(pool.stats).toEqual({ running: 0, queued: 0 });
  });

  it('answers 503 at the deadline but keeps the slot until the job really ends', async () => {
    const pool = new BoundedPool({ name: 'jobs', concurrency: 1, queueLimit: 0, timeoutMs: 20 });
    const slow = held();
    const outcome = await pool.run(slow.job).catch((e: unknown) => e);
    expect((outcome as RetryLaterException).getStatus()).toBe(503);
    expect(pool.stats.running).toBe(1);
    await expect(pool.run(() => Promise.resolve(1))).rejects.toBeInstanceOf(RetryLaterException);
    slow.release();
    await new Promise((r) => setImmediate(r));
    await expect(pool.run(() => Promise.resolve(1))).resolves.toBe(1);
  });

  it('drops a queued job that times out before it starts', async () => {
    const pool = new BoundedPool({ name: 'jobs', concurrency: 1, queueLimit: 1, timeoutMs: 20 });
    const first = held();
    const running = pool.run(first.job).catch(() => 'timed out');
    let started = false;
    const queued = await pool
      .run(() => {
        started = true;
        return Promise.resolve();
      })
      .catch((e: unknown) => e);
    expect(queued).toBeInstanceOf(RetryLaterException);
    first.release();
    await running;
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(false);
  });
});
