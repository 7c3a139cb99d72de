import { createHash } from 'node:crypto';

/**
 * Readable, namespaced keys (an operator can read them in redis-cli):
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
  /** The short lock that lets one instance reload a key ahead of its expiry (refresh-ahead). */
  refreshLock: (key: string) => {
    const namespace = cacheKeys.namespaceOf(key);
    return `${namespace}:meta:refresh:${key.slice(namespace.length + 1)}`;
  },
  namespaceOf: (key: string) => {
    const colon = key.indexOf(':');
    return colon === -1 ? key : key.slice(0, colon);
  },
};

/**
 * Whether a logical key is one the cache makes (`<ns>:id:…`, `<ns>:list…`, `<ns>:meta:…`). Other
 * keys in the same Redis (rate-limit counters, the change feed's lease, another deployment's
 * prefixed entries when this one has no prefix) are never listed, read or cleared as cache entries.
 */
export function isCacheKey(key: string): boolean {
  return /^[^:]+:(?:id:|list(?::|$)|meta:)/.test(key);
}

/**
 * The name in Redis of a logical key: the deployment's `prefix` in front. On a Redis Cluster the
 * prefix and namespace become a hash tag (`games:id:1` → `{games}:id:1`), so a namespace's value
 * keys and bookkeeping share one slot and its scripts stay single-slot. Keys outside any
 * namespace (no `:`) are tagged whole.
 */
export function redisKey(prefix: string, key: string, cluster: boolean): string {
  if (!cluster) return prefix + key;
  const namespace = cacheKeys.namespaceOf(key);
  return `{${prefix}${namespace}}${key.slice(namespace.length)}`;
}

/** The logical key of a name in Redis (the inverse of redisKey); undefined when not the deployment's or not a cache key. */
export function logicalKey(prefix: string, name: string, cluster: boolean): string | undefined {
  let plain = name;
  if (cluster) {
    const close = name.indexOf('}');
    if (!name.startsWith('{') || close === -1) return undefined;
    plain = name.slice(1, close) + name.slice(close + 1);
  }
  if (!plain.startsWith(prefix)) return undefined;
  const key = plain.slice(prefix.length);
  return isCacheKey(key) ? key : undefined;
}

/** A SCAN pattern for every name in Redis whose logical key starts with `start`. */
export function redisKeyPattern(prefix: string, start: string, cluster: boolean): string {
  if (!cluster) return `${prefix}${start}*`;
  // Within the namespace: its tag is known. Before its end: the tag's opening only.
  return start.includes(':') ? `${redisKey(prefix, start, true)}*` : `{${prefix}${start}*`;
}

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

/**
 * The key of an answer that is not a plain GET (a POST search, an operation's result): a list
 * variant of its namespace, so any write to the namespace drops it. `label` keeps kinds apart
 * in the key (`<ns>:list:<label>:<sha1>`), readable in Redis.
 */
export function variantKey(namespace: string, parts: Record<string, unknown>, label?: string): string {
  if (!label) return cacheKeys.list(namespace, parts);
  return `${namespace}:list:${label}:${sha1(canonicalQuery(parts) || '{}')}`;
}
