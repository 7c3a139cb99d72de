import { parentPort } from 'node:worker_threads';
import { BatchRequest, generateStudents } from './student-generator';

// Generates batches off the main thread, which meanwhile sends the previous batch to MongoDB.
parentPort!.on('message', (request: BatchRequest) => {
  parentPort!.postMessage(generateStudents(request));
});
