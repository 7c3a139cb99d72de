import { createHash } from 'node:crypto';

/**
 * Readable, namespaced keys (the store project's scheme):
 *   <ns>:id:<id>            one document
 *   <ns>:list               the unfiltered list
 *   <ns>:list:<sha1>        a list variant (sha1 of the sorted query)
 * Bookkeeping lives under <ns>:meta:* so it can never collide with the above.
 */
export const cacheKeys = {
  id: (namespace: string, id: string) => `${namespace}:id:${id}`,
  list: (namespace: string, query?: Record<string, unknown>) => {
    const canonical = canonicalQuery(query);
    return canonical ? `${namespace}:list:${sha1(canonical)}` : `${namespace}:list`;
  },
  /** Bumped by every write to the namespace; a fill that saw an older value is discarded. */
  generation: (namespace: string) => `${namespace}:meta:gen`,
  /** Sorted set of the namespace's list keys (scored by expiry), so a write removes every variant without SCAN. */
  listIndex: (namespace: string) => `${namespace}:meta:lists`,
  namespaceOf: (key: string) => key.slice(0, key.indexOf(':')),
};

/**
 * A per-caller namespace (e.g. one user's collections): `<namespace>.<scope>`. Invalidating it
 * touches only that caller's entries; stats count it under the base namespace.
 */
export function scopedNamespace(namespace: string, scope: string): string {
  return `${namespace}.${scope}`;
}

export function baseNamespace(namespace: string): string {
  const dot = namespace.indexOf('.');
  return dot === -1 ? namespace : namespace.slice(0, dot);
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Sorted `k=v` pairs (arrays keep their order); empty string for no query. */
export function canonicalQuery(query?: Record<string, unknown>): string {
  if (!query) return '';
  const keys = Object.keys(query)
    .filter((k) => query[k] !== undefined)
    .sort();
  if (keys.length === 0) return '';
  return JSON.stringify(keys.map((k) => [k, query[k]]));
}
