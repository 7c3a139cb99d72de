import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobFailedError, JobLimitError, WorkerCrashedError } from './worker-process';
import { WorkerSet, WorkerSetOptions } from './worker-set';

const MiB = 1024 * 1024;

/** A child that does what each job says, served by the real serveJobs (loaded from source by Node's type stripping). */
const CHILD = `
import { serveJobs } from ${JSON.stringify(pathToFileURL(join(__dirname, 'worker-child.ts')).href)};
import { JobRefusal } from ${JSON.stringify(pathToFileURL(join(__dirname, 'worker-protocol.ts')).href)};
const kept = [];
serveJobs(async (job) => {
  switch (job.do) {
    case 'echo': return { echo: job.value, pid: process.pid };
    case 'refuse': throw new JobRefusal('too-big', 'no thanks');
    case 'throw': throw new Error('broken');
    case 'keep': kept.push(Buffer.alloc(job.mib * ${MiB}, 1)); return process.pid;
    case 'grow': for (;;) { kept.push(Buffer.alloc(8 * ${MiB}, 1)); await new Promise((r) => setTimeout(r, 2)); }
    case 'spin': for (;;) {}
    case 'sleep': return new Promise(() => {});
    case 'exit': process.exit(3);
  }
}, async () => {});
`;

describe('WorkerSet: jobs in child processes under memory, CPU and time limits', () => {
  let dir: string;
  let set: WorkerSet | undefined;
  const start = (options: Partial<WorkerSetOptions> = {}) =>
    (set = new WorkerSet({
      name: 'spec',
      entry: join(dir, 'child.mjs'),
      execArgv: ['--disable-warning=ExperimentalWarning', '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON'],
      size: 1,
      limits: { maxRssBytes: 200 * MiB, cpuMs: 5_000, timeoutMs: 20_000 },
      recycleRssBytes: 120 * MiB,
      ...options,
    }));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'worker-set-spec-'));
    writeFileSync(join(dir, 'child.mjs'), CHILD);
  });
  afterEach(() => set?.close());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs jobs in one warm process; a refusal keeps its code, another failure is "failed"', async () => {
    const workers = start();
    const first = (await workers.run({ do: 'echo', value: 1 })) as { echo: number; pid: number };
    const second = (await workers.run({ do: 'echo', value: 2 })) as { echo: number; pid: number };
    expect([first.echo, second.echo]).toEqual([1, 2]);
    expect(second.pid).toBe(first.pid);
    expect(second.pid).not.toBe(process.pid);
    await expect(workers.run({ do: 'refuse' })).rejects.toEqual(new JobFailedError('too-big', 'no thanks'));
    await expect(workers.run({ do: 'throw' })).rejects.toMatchObject({ code: 'failed', message: 'broken' });
    expect(((await workers.run({ do: 'echo' })) as { pid: number }).pid).toBe(first.pid);
  });

  it('kills a job past its memory limit; the API process does not hold that memory; a fresh worker takes the next job', async () => {
    const workers = start();
    const { pid } = (await workers.run({ do: 'echo' })) as { pid: number };
    const rssBefore = process.memoryUsage.rss();
    const error = await workers.run({ do: 'grow' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobLimitError);
    expect(error).toMatchObject({ limit: 'memory', message: 'needed more than 200 MiB of memory' });
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(50 * MiB);
    expect(() => process.kill(pid, 0)).toThrow(); // gone, not just answered
    const next = (await workers.run({ do: 'echo' })) as { pid: number };
    expect(next.pid).not.toBe(pid);
  });

  it('kills a job past its CPU time, and one past its run time', async () => {
    const workers = start({ limits: { maxRssBytes: 500 * MiB, cpuMs: 300, timeoutMs: 1_500 } });
    const started = Date.now();
    await expect(workers.run({ do: 'spin' })).rejects.toMatchObject({ limit: 'cpu', message: 'needed more than 300 ms of CPU time' });
    await expect(workers.run({ do: 'sleep' })).rejects.toMatchObject({ limit: 'time', message: 'did not finish within 1500 ms' });
    // Generous for a loaded machine: the CPU limit counts CPU time, which a busy machine hands out slowly.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('reports a worker that dies on its own, and replaces one that holds too much memory after its job', async () => {
    const workers = start();
    await expect(workers.run({ do: 'exit' })).rejects.toBeInstanceOf(WorkerCrashedError);
    const bloated = (await workers.run({ do: 'keep', mib: 100 })) as number;
    const next = (await workers.run({ do: 'echo' })) as { pid: number };
    expect(next.pid).not.toBe(bloated);
  });
});
