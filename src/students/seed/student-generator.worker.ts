import { parentPort } from 'node:worker_threads';
import type { GeneratorRequest } from './batch-source';
import { generateResults, generateStudents } from './student-generator';

// Generates batches off the main thread, which meanwhile sends the previous batch to MongoDB.
parentPort!.on('message', (message: GeneratorRequest) => {
  parentPort!.postMessage(message.kind === 'results' ? generateResults(message.request) : generateStudents(message.request));
});
