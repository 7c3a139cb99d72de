import { FairPool, FairPoolOptions } from './fair-pool';
import { RetryLaterException } from './retry-later.exception';

const OPTIONS: FairPoolOptions = {
  name: 'jobs',
  concurrency: 2,
  perOwnerConcurrency: 1,
  queueLimit: 8,
  perOwnerQueueLimit: 2,
  queueTimeoutMs: 60_000,
  retryAfterSeconds: 5,
};

/** Submits jobs that end when released, and records the order in which they start. */
function harness(options: Partial<FairPoolOptions> = {}) {
  const pool = new FairPool({ ...OPTIONS, ...options });
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const submit = (owner: string, label: string) => {
    const outcome = pool.run(owner, () => {
      started.push(label);
      return new Promise<string>((resolve) => releases.set(label, () => resolve(label)));
    });
    // Jobs a test leaves waiting time out after it ended: that refusal must not surface in a later suite.
    outcome.catch(() => undefined);
    return outcome;
  };
  const release = async (label: string) => {
    releases.get(label)!();
    // The slot is handed on after the job's caller is answered.
    await new Promise((r) => setImmediate(r));
  };
  return { pool, started, submit, release };
}

const refusal = (error: unknown) => {
  expect(error).toBeInstanceOf(RetryLaterException);
  return { status: (error as RetryLaterException).getStatus(), message: (error as Error).message };
};

describe('FairPool', () => {
  it('lets one owner hold at most perOwnerConcurrency slots: another owner starts at once', async () => {
    const { pool, started, submit } = harness();
    void submit('a', 'a1');
    void submit('a', 'a2');
    void submit('b', 'b1');
    expect(started).toEqual(['a1', 'b1']);
    expect(pool.stats).toEqual({ running: 2, queued: 1, owners: 2 });
    expect(pool.statsOf('a')).toEqual({ running: 1, queued: 1 });
  });

  it('serves waiting owners round-robin, each owner first come, first served', async () => {
    const { started, submit, release } = harness({ concurrency: 1, queueLimit: 10, perOwnerQueueLimit: 5 });
    void submit('a', 'a1');
    void submit('a', 'a2');
    void submit('a', 'a3');
    void submit('b', 'b1');
    void submit('b', 'b2');
    void submit('c', 'c1');
    for (const label of ['a1', 'b1', 'c1', 'a2', 'b2']) await release(label);
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('even when one owner may take every slot, another waits for one job only, not for its queue', async () => {
    const { started, submit, release } = harness({ perOwnerConcurrency: 2, perOwnerQueueLimit: 4 });
    for (const label of ['a1', 'a2', 'a3', 'a4', 'a5']) void submit('a', label);
    void submit('b', 'b1');
    expect(started).toEqual(['a1', 'a2']);
    await release('a2');
    expect(started).toEqual(['a1', 'a2', 'b1']);
  });

  it("refuses an owner's job beyond its own queue limit with 503 + Retry-After, while others still queue", async () => {
    const { pool, submit } = harness({ concurrency: 1 });
    void submit('a', 'a1');
    void submit('a', 'a2');
    void submit('a', 'a3');
    const refused = refusal(await submit('a', 'a4').catch((e: unknown) => e));
    expect(refused).toEqual({ status: 503, message: 'you have 2 jobs waiting already; retry in 5 s' });
    void submit('b', 'b1');
    expect(pool.stats).toMatchObject({ running: 1, queued: 3 });
  });

  it('refuses anyone once the shared queue is full', async () => {
    const { submit } = harness({ concurrency: 1, queueLimit: 2 });
    void submit('a', 'a1');
    void submit('b', 'b1');
    void submit('c', 'c1');
    expect(refusal(await submit('d', 'd1').catch((e: unknown) => e))).toEqual({
      status: 503,
      message: 'too many jobs in progress; retry in 5 s',
    });
  });

  it('drops a job that waits longer than queueTimeoutMs: 503, and it never runs', async () => {
    const { pool, started, submit, release } = harness({ concurrency: 1, queueTimeoutMs: 30 });
    const first = submit('a', 'a1');
    const waiting = submit('b', 'b1').catch((e: unknown) => e);
    expect(refusal(await waiting)).toEqual({ status: 503, message: 'jobs: no slot was free within 30 ms; retry later' });
    expect(pool.stats).toEqual({ running: 1, queued: 0, owners: 1 });
    await release('a1');
    await first;
    expect(started).toEqual(['a1']);
    expect(pool.stats).toEqual({ running: 0, queued: 0, owners: 0 });
  });

  it('frees the slot of a job that fails, synchronously or not, and passes the error on', async () => {
    const pool = new FairPool({ ...OPTIONS, concurrency: 1 });
    await expect(
      pool.run('a', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(pool.run('a', () => Promise.reject(new Error('async')))).rejects.toThrow('async');
    await new Promise((r) => setImmediate(r));
    await expect(pool.run('a', () => Promise.resolve(7))).resolves.toBe(7);
    expect(pool.stats).toEqual({ running: 0, queued: 0, owners: 0 });
  });
});
