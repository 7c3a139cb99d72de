import { Logger } from '@nestjs/common';
import { processUsage } from './process-usage';
import { JobLimitError, JobLimits, WorkerCrashedError, WorkerProcess, WorkerProcessOptions } from './worker-process';

export interface WorkerSetOptions extends WorkerProcessOptions {
  /** For logs ("heavy work"). */
  name: string;
  /** Processes kept warm: one per slot of the pool in front (the pool bounds jobs at once, not this set). */
  size: number;
  limits: JobLimits;
  /**
   * A worker holding more than this after a job is replaced: V8 and the allocators of native
   * libraries keep memory they have used, so one large job would otherwise raise the baseline for good.
   */
  recycleRssBytes: number;
}

/**
 * Child processes that run heavy jobs, each under the set's JobLimits. Processes are started on
 * first use and kept warm (libraries stay loaded between jobs); one killed at a limit, crashed, or
 * holding too much memory after its job is replaced at once.
 */
export class WorkerSet {
  private readonly logger: Logger;
  private readonly idle: WorkerProcess[] = [];
  private readonly busy = new Set<WorkerProcess>();
  private closed = false;

  constructor(private readonly options: WorkerSetOptions) {
    this.logger = new Logger(`Workers:${options.name}`);
    if (!processUsage(process.pid)) {
      this.logger.warn('/proc is not readable here (not Linux?): jobs are bounded by run time and V8 heap only, not by memory or CPU time');
    }
  }

  get stats() {
    return { idle: this.idle.length, busy: this.busy.size };
  }

  /** Runs a job in an idle worker (a new one if none is idle); it settles after a killed worker is gone. */
  async run(job: unknown): Promise<unknown> {
    if (this.closed) throw new WorkerCrashedError(`${this.options.name} is shutting down`);
    const worker = this.takeIdle() ?? this.start();
    this.busy.add(worker);
    let keep = false;
    try {
      const value = await worker.run(job, this.options.limits);
      keep = true;
      return value;
    } catch (error) {
      keep = !(error instanceof JobLimitError || error instanceof WorkerCrashedError);
      if (!keep) this.logger.warn(`worker ${worker.pid} stopped: ${(error as Error).message}`);
      throw error;
    } finally {
      this.busy.delete(worker);
      await this.putBack(worker, keep);
    }
  }

  /** Ends every worker (busy ones too: their jobs fail). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.splice(0), ...this.busy];
    await Promise.all(all.map((worker) => worker.kill()));
  }

  private takeIdle(): WorkerProcess | undefined {
    let worker = this.idle.pop();
    while (worker && !worker.alive) worker = this.idle.pop();
    return worker;
  }

  private start(): WorkerProcess {
    return new WorkerProcess({ entry: this.options.entry, execArgv: this.options.execArgv });
  }

  private async putBack(worker: WorkerProcess, healthy: boolean) {
    const rss = worker.rssBytes() ?? 0;
    if (healthy && worker.alive && !this.closed && rss <= this.options.recycleRssBytes) {
      this.idle.push(worker);
      return;
    }
    await worker.kill();
    // Keep a warm replacement, so the next job does not pay for start-up.
    if (!this.closed && this.idle.length + this.busy.size < this.options.size) this.idle.push(this.start());
  }
}
