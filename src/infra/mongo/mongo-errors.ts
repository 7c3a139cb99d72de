/** Driver errors that mean "MongoDB cannot be reached now", as opposed to a bad query or document. */
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

export function isMongoUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNREACHABLE.has(error.name)) return true;
  // Mongoose queues operations while disconnected and fails them with this message.
  return error.name === 'MongooseError' && /buffering timed out/.test(error.message);
}
