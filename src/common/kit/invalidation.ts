import type { CacheInvalidator } from '../../infra/cache';
import { captureWriteTimes } from '../../infra/mongo/write-times';

/** The ids a write touched: known before it runs, or read from its result (a created document's id). */
export type WrittenIds<T> = readonly string[] | ((result: T) => readonly string[]);

/**
 * Runs a write to MongoDB, then drops what it changed from both cache tiers on every instance: the
 * ids' keys and every list of the namespace. The invalidation runs even when the write throws: a
 * write that failed halfway may have changed MongoDB, and a needless invalidation costs one miss.
 * (When the ids come from the result and there is none, only the lists are dropped.) The times
 * MongoDB gave the write go with the invalidation, so that the change feed does not repeat it.
 */
export async function withInvalidation<T>(
  cache: CacheInvalidator,
  namespace: string,
  ids: WrittenIds<T>,
  write: () => Promise<T>,
): Promise<T> {
  let result: { value: T } | undefined;
  const { times, done } = captureWriteTimes(write);
  try {
    result = { value: await done };
    return result.value;
  } finally {
    const written = typeof ids === 'function' ? (result ? ids(result.value) : []) : ids;
    await cache.invalidate(namespace, written, times);
  }
}
