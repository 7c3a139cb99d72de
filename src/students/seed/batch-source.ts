import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Student } from '../schemas/student.schema';
import type { BatchRequest, BatchResults } from './student-generator';

/** Produces generated batches; with a worker thread, generation runs on the other core while MongoDB inserts. */
export interface BatchSource {
  generate(request: BatchRequest): Promise<Student[]>;
  /** A batch's results alone (what ranks it), without documents. */
  results(request: BatchRequest): Promise<BatchResults>;
  close(): Promise<void>;
  readonly threads: number;
}

export type GeneratorRequest = { kind: 'students'; request: BatchRequest } | { kind: 'results'; request: BatchRequest };

/**
 * One worker is enough on the 2-core target: the main thread mostly waits for MongoDB and the
 * stand-in's own process takes the rest. Compiled code only (a worker cannot load .ts): under
 * ts-jest/swc the batches are made in-thread, with the same results (batches are seeded by number).
 */
export function createBatchSource(): BatchSource {
  const workerFile = join(__dirname, 'student-generator.worker.js');
  if (__filename.endsWith('.ts') || availableParallelism() < 2) {
    const generator = import('./student-generator.js');
    return {
      generate: async (request) => (await generator).generateStudents(request),
      results: async (request) => (await generator).generateResults(request),
      close: async () => undefined,
      threads: 0,
    };
  }
  const worker = new Worker(workerFile);
  // Requests are answered in order (one message at a time), so a FIFO of resolvers pairs them up.
  const waiting: { resolve: (answer: unknown) => void; reject: (e: Error) => void }[] = [];
  worker.on('message', (answer: unknown) => waiting.shift()?.resolve(answer));
  worker.on('error', (error) => waiting.splice(0).forEach((w) => w.reject(error)));
  const ask = <T>(message: GeneratorRequest) =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ resolve: resolve as (answer: unknown) => void, reject });
      worker.postMessage(message);
    });
  return {
    generate: (request) => ask<Student[]>({ kind: 'students', request }),
    results: (request) => ask<BatchResults>({ kind: 'results', request }),
    close: async () => void (await worker.terminate()),
    threads: 1,
  };
}
