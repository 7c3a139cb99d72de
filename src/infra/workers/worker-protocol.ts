/** Messages between a WorkerProcess (the API process) and the child it runs (see serveJobs). */

export interface JobRequest {
  id: number;
  job: unknown;
}

export type JobReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; code: string; message: string };

/** The child's first message: its libraries are loaded and it takes jobs. */
export interface ReadyMessage {
  ready: true;
}

/**
 * A failure a job handler reports on purpose, with a code the API process maps to an answer.
 * (No parameter property: Node runs the child's TypeScript by stripping types, which cannot emit one.)
 */
export class JobRefusal extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
