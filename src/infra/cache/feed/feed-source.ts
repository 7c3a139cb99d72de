/**
 * What a feature module declares, next to its cache policy, so that writes made anywhere (another
 * service, a migration, mongosh, a CLI job, an instance that died before invalidating) reach the
 * cache: which MongoDB collection feeds which namespaces, and how one change maps to keys.
 */

/** One committed change of a document, as far as MongoDB told us. */
export interface FeedChange<T = Record<string, unknown>> {
  operationType: 'insert' | 'update' | 'replace' | 'delete';
  /** The document's `_id` as a string (ObjectIds in hex); undefined when the event did not say. */
  id?: string;
  /** The document after the change (`fullDocument: 'updateLookup'`); null when it is gone by lookup time. */
  after?: T | null;
  /** The document before the change, when the collection records pre-images (MongoDB 6+). */
  before?: T | null;
  /** Fields an update touched; undefined when unknown (replace, or the stand-in's empty updateDescription). */
  changedFields?: string[];
}

/**
 * What to drop:
 * - `{ namespace, ids }`: those id keys and every list variant of the namespace (ids may be empty: lists only);
 * - `{ namespace, whole: true }`: every key of the namespace (ids unknown);
 * - `{ prefix }`: every key under a key prefix, e.g. `collections.` for all per-user collection namespaces.
 */
export type FeedTarget = { namespace: string; ids?: readonly string[] } | { namespace: string; whole: true } | { prefix: string };

export interface FeedSource<T = Record<string, unknown>> {
  /** MongoDB collection name. */
  collection: string;
  /** The cached answers one change may have altered. */
  targets(change: FeedChange<T>): FeedTarget[];
  /** Everything the collection feeds: dropped when changes may have been missed (history lost, collection dropped). */
  everything: FeedTarget[];
}

/** The common case: documents cached as `<namespace>:id:<_id>` plus the namespace's lists. */
export function documentSource(collection: string, namespace: string): FeedSource {
  return {
    collection,
    targets: (change) => [change.id === undefined ? { namespace, whole: true } : { namespace, ids: [change.id] }],
    everything: [{ namespace, whole: true }],
  };
}

/** The documents a change shows (after and before), for mappings that read fields of them. */
export function shownDocuments<T>(change: FeedChange<T>): T[] {
  return [change.after, change.before].filter((doc): doc is T => !!doc);
}
