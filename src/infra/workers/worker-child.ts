import { JobRefusal } from './worker-protocol.ts';
import type { JobReply, JobRequest } from './worker-protocol.ts';

/*
 * Runs inside the child process. Imported with a `.ts` extension by the worker entry, which Node
 * runs straight from source in tests (type stripping) and compiled in production; so this file
 * imports nothing but its siblings (by `.ts` path) and Node's own modules.
 */

/**
 * Answers the API process's jobs one at a time with `handle`, after `warmUp` (libraries loaded
 * once per process, not per job). A handler refuses a job by throwing a JobRefusal (its code goes
 * back); any other error is reported with the code `failed`. The process ends with its parent.
 */
export function serveJobs(handle: (job: never) => Promise<unknown>, warmUp: () => Promise<void>): void {
  if (!process.send) throw new Error('a worker runs as a child process with an IPC channel');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: JobRequest) => {
    void answer(message, handle);
  });
  void warmUp().then(
    () => process.send!({ ready: true }),
    (error: Error) => {
      process.stderr.write(`worker warm-up failed: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}

async function answer({ id, job }: JobRequest, handle: (job: never) => Promise<unknown>) {
  let reply: JobReply;
  try {
    reply = { id, ok: true, value: await handle(job as never) };
  } catch (error) {
    const code = error instanceof JobRefusal ? error.code : 'failed';
    reply = { id, ok: false, code, message: error instanceof Error ? error.message : String(error) };
  }
  process.send!(reply);
}
