import { MongoDeadlineError } from './operation-deadline';

/** Driver errors that mean "MongoDB cannot be reached now", as opposed to a bad query or document. */
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/** MongoDB's own "operation exceeded time limit" (the maxTimeMS the driver sends with a deadline). */
const MAX_TIME_MS_EXPIRED = 50;

/**
 * The operation's deadline passed (see operation-deadline.ts): the app stopped waiting (a hung or
 * overloaded MongoDB), or MongoDB stopped the operation at the time limit it was sent.
 */
export function isDeadlineExceeded(error: unknown): boolean {
  if (error instanceof MongoDeadlineError) return true;
  if (!(error instanceof Error)) return false;
  return error.name === 'MongoOperationTimeoutError' || (error as { code?: unknown }).code === MAX_TIME_MS_EXPIRED;
}

/** MongoDB cannot answer now: unreachable, or not within the operation's deadline. Answered 503 (or stale-if-error). */
export function isMongoUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNREACHABLE.has(error.name) || isDeadlineExceeded(error)) return true;
  // Mongoose queues operations while disconnected and fails them with this message.
  return error.name === 'MongooseError' && /buffering timed out/.test(error.message);
}
