/** Server answers meaning "no change streams here" (standalone mongod, or a server without an oplog). */
const NOT_SUPPORTED_CODES = new Set([40573, 40415, 115, 303]);
/** The resume token is no longer in the oplog, or unusable: resuming would miss events. */
const HISTORY_LOST_CODES = new Set([286, 260, 280]);

/**
 * How a change stream failed: `unsupported` (stop trying: outside writes wait for TTL expiry),
 * `history-lost` (drop what the collection feeds and start afresh), or `transient` (reopen from
 * the last applied token: network errors, MongoDB restarting, elections).
 */
export function streamErrorKind(error: { code?: number }): 'unsupported' | 'history-lost' | 'transient' {
  if (error.code !== undefined && NOT_SUPPORTED_CODES.has(error.code)) return 'unsupported';
  if (error.code !== undefined && HISTORY_LOST_CODES.has(error.code)) return 'history-lost';
  return 'transient';
}

/** Logged once when the server has no change streams: what that costs, and the fix. */
export function unsupportedWarning(error: Error): string {
  return (
    `MongoDB change streams are not available (${error.message}): writes made outside this API instance ` +
    `(other services, scripts, instances that die mid-write) reach the cache only when entries expire ` +
    `(CACHE_TTL_SECONDS). Run MongoDB as a replica set (a single node is enough; see README) to keep the cache in sync.`
  );
}
