import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { processUsage } from './process-usage';
import type { JobReply, JobRequest } from './worker-protocol';

/** What one job may spend; past any of them its process is killed. */
export interface JobLimits {
  /** Resident memory of the whole process (V8 heap, native and WebAssembly memory alike). */
  maxRssBytes: number;
  /** CPU time of the process (all threads) from the job's start. */
  cpuMs: number;
  /** Wall-clock time from the job's start. */
  timeoutMs: number;
}

export type LimitName = 'memory' | 'cpu' | 'time';

/** The job passed one of its limits and its process was killed (its memory is back). */
export class JobLimitError extends Error {
  constructor(
    readonly limit: LimitName,
    message: string,
  ) {
    super(message);
  }
}

/** The job failed in the worker for a reason it named (`code`), e.g. its input broke a content limit. */
export class JobFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The worker died on its own while running the job (a crash in native code, for instance). */
export class WorkerCrashedError extends Error {}

/** How often a running job's memory and CPU are read: the bound overshoots by what it allocates in this time. */
const WATCH_INTERVAL_MS = 25;
/** A worker that has not said it is ready this long after it was started is given up (a loaded machine is slow). */
const STARTUP_TIMEOUT_MS = 30_000;
/** Below the API's own priority: heavy work yields the CPU to requests served from the cache. */
const WORKER_NICENESS = 10;
const STDERR_TAIL_BYTES = 4096;

export interface WorkerProcessOptions {
  /** The script the child runs (it answers jobs through `serveJobs`). */
  entry: string;
  execArgv: string[];
}

/** One child process that runs one job at a time under JobLimits. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly exited: Promise<void>;
  private stderrTail = '';
  private nextId = 0;
  private dead = false;

  constructor(options: WorkerProcessOptions) {
    this.child = spawn(process.execPath, [...options.execArgv, options.entry], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Buffers cross as bytes, not as JSON arrays of numbers.
      serialization: 'advanced',
    });
    this.exited = once(this.child, 'close').then(() => {
      this.dead = true;
    });
    this.child.on('error', () => (this.dead = true));
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
    });
    if (this.child.pid) {
      try {
        setPriority(this.child.pid, WORKER_NICENESS);
      } catch {
        // Not allowed here (some containers): the worker runs at normal priority.
      }
    }
    this.ready = this.waitUntilReady();
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return !this.dead;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resident memory now, or undefined when it cannot be read. */
  rssBytes(): number | undefined {
    return this.child.pid ? processUsage(this.child.pid)?.rssBytes : undefined;
  }

  /** Runs one job; a job past any limit kills the process, and the promise settles only once it is gone. */
  async run(job: unknown, limits: JobLimits): Promise<unknown> {
    await this.ready;
    const id = this.nextId++;
    const pid = this.child.pid!;
    const cpuAtStart = processUsage(pid)?.cpuMs ?? 0;
    let stopped: JobLimitError | undefined;
    const stop = (error: JobLimitError) => {
      if (stopped) return;
      stopped = error;
      this.child.kill('SIGKILL');
    };
    const watch = setInterval(() => {
      const usage = processUsage(pid);
      if (!usage) return;
      if (usage.rssBytes > limits.maxRssBytes) {
        stop(new JobLimitError('memory', `needed more than ${mib(limits.maxRssBytes)} MiB of memory`));
      } else if (usage.cpuMs - cpuAtStart > limits.cpuMs) {
        stop(new JobLimitError('cpu', `needed more than ${limits.cpuMs} ms of CPU time`));
      }
    }, WATCH_INTERVAL_MS);
    const deadline = setTimeout(() => stop(new JobLimitError('time', `did not finish within ${limits.timeoutMs} ms`)), limits.timeoutMs);
    try {
      const reply = await this.reply(id, job);
      if (reply.ok) return reply.value;
      throw new JobFailedError(reply.code, reply.message);
    } catch (error) {
      if (stopped) throw stopped;
      throw error;
    } finally {
      clearInterval(watch);
      clearTimeout(deadline);
    }
  }

  /** Ends the process and waits until it is gone. */
  async kill(): Promise<void> {
    if (!this.dead) this.child.kill('SIGKILL');
    await this.exited;
  }

  private reply(id: number, job: unknown): Promise<JobReply> {
    return new Promise<JobReply>((resolve, reject) => {
      const onMessage = (message: JobReply) => {
        if (message.id !== id) return;
        cleanup();
        resolve(message);
      };
      // 'close' comes after 'exit' once stderr is drained, so crash() sees the worker's last words.
      const onExit = () => {
        cleanup();
        reject(this.crash());
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('close', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('close', onExit);
      const request: JobRequest = { id, job };
      this.child.send(request, (error) => {
        if (error) onExit();
      });
    });
  }

  private async waitUntilReady(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.child.once('message', () => resolve());
      this.child.once('close', () => reject(this.crash()));
      this.child.once('error', (error) => reject(new WorkerCrashedError(`the worker could not start: ${error.message}`)));
    });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STARTUP_TIMEOUT_MS);
    try {
      await ready;
    } finally {
      clearTimeout(timer);
    }
  }

  private crash(): Error {
    const { exitCode, signalCode } = this.child;
    // V8 gives up at --max-old-space-size with this line: that is the memory limit, reached inside V8.
    if (/heap out of memory/i.test(this.stderrTail)) return new JobLimitError('memory', 'ran out of its JavaScript heap');
    const how = signalCode ? `signal ${signalCode}` : `code ${exitCode}`;
    // Node ends a crash report with its version line: the error line above it says more.
    const lines = this.stderrTail.trim().split('\n');
    const cause = lines.filter((line) => /error/i.test(line)).pop() ?? lines.pop() ?? '';
    return new WorkerCrashedError(`the worker stopped (${how})${cause ? `: ${cause.trim().slice(0, 200)}` : ''}`);
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
