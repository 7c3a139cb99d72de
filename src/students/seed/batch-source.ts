import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Student } from '../schemas/student.schema';
import type { BatchRequest } from './student-generator';

/** Produces generated batches; with a worker thread, generation runs on the other core while MongoDB inserts. */
export interface BatchSource {
  generate(request: BatchRequest): Promise<Student[]>;
  close(): Promise<void>;
  readonly threads: number;
}

/**
 * One worker is enough on the 2-core target: the main thread mostly waits for MongoDB and the
 * stand-in's own process takes the rest. Compiled code only (a worker cannot load .ts): under
 * ts-jest/swc the batches are made in-thread, with the same results (batches are seeded by number).
 */
export function createBatchSource(): BatchSource {
  const workerFile = join(__dirname, 'student-generator.worker.js');
  if (__filename.endsWith('.ts') || availableParallelism() < 2) {
    return {
      generate: async (request) => (await import('./student-generator.js')).generateStudents(request),
      close: async () => undefined,
      threads: 0,
    };
  }
  const worker = new Worker(workerFile);
  // Requests are answered in order (one message at a time), so a FIFO of resolvers pairs them up.
  const waiting: { resolve: (s: Student[]) => void; reject: (e: Error) => void }[] = [];
  worker.on('message', (students: Student[]) => waiting.shift()?.resolve(students));
  worker.on('error', (error) => waiting.splice(0).forEach((w) => w.reject(error)));
  return {
    generate: (request) =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage(request);
      }),
    close: async () => void (await worker.terminate()),
    threads: 1,
  };
}
