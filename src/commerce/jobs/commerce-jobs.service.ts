import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { asMongoJob } from '../../infra/mongo/operation-deadline';
import type { PhaseProgress, ProgressSink } from '../progress-sink';

export type JobKind = 'generate' | 'crunch';

export interface JobPhase {
  label: string;
  unit: string;
  done: number;
  total: number;
}

export interface CommerceJob {
  id: string;
  kind: JobKind;
  status: 'running' | 'succeeded' | 'failed';
  started_at: Date;
  finished_at?: Date;
  /** Phases so far; the last one is the current one while running. */
  phases: JobPhase[];
  result?: unknown;
  error?: string;
}

const KEPT_JOBS = 20;

/**
 * Long commerce runs started over HTTP: one at a time per instance (a second one is a 409), each
 * pollable with its phases' progress. Jobs live in this process's memory.
 */
@Injectable()
export class CommerceJobsService {
  private readonly logger = new Logger('CommerceJobs');
  private readonly jobs = new Map<string, CommerceJob>();
  private current?: CommerceJob;

  get busy(): CommerceJob | undefined {
    return this.current;
  }

  /** Throws 409 when a job is running. */
  assertIdle(): void {
    if (this.current) throw new ConflictException(`commerce job ${this.current.id} (${this.current.kind}) is still running`);
  }

  start(kind: JobKind, work: (progress: ProgressSink) => Promise<unknown>): CommerceJob {
    this.assertIdle();
    const job: CommerceJob = { id: randomUUID(), kind, status: 'running', started_at: new Date(), phases: [] };
    this.current = job;
    this.jobs.set(job.id, job);
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEPT_JOBS))) this.jobs.delete(id);
    const progress: ProgressSink = {
      phase(label, total, unit): PhaseProgress {
        const phase: JobPhase = { label, unit, done: 0, total };
        job.phases.push(phase);
        return { tick: (n = 1) => void (phase.done += n), done: () => undefined };
      },
    };
    // Generating and crunching take minutes: their MongoDB operations get the job deadline.
    void asMongoJob(() => work(progress)).then(
      (result) => this.finish(job, { status: 'succeeded', result }),
      (error: Error) => {
        this.logger.warn(`${kind} job ${job.id} failed: ${error.message}`);
        this.finish(job, { status: 'failed', error: error.message });
      },
    );
    return job;
  }

  get(id: string): CommerceJob | undefined {
    return this.jobs.get(id);
  }

  private finish(job: CommerceJob, outcome: Pick<CommerceJob, 'status' | 'result' | 'error'>) {
    Object.assign(job, outcome, { finished_at: new Date() });
    if (this.current === job) this.current = undefined;
  }
}
