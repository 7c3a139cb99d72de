import { cacheKeys } from './cache-keys';

/**
 * Whether an entry whose Redis copy expires at `expiresAt` is in the last `fraction` of its
 * nominal TTL, where a read reloads it ahead of expiry (refresh-ahead).
 */
export function inRefreshWindow(expiresAt: number | undefined, ttlMs: number, fraction: number, now = Date.now()): boolean {
  return fraction > 0 && expiresAt !== undefined && expiresAt - now < ttlMs * fraction;
}

/** The short lock that lets one instance reload a key ahead of expiry: `<ns>:meta:refresh:<rest of key>`. */
export function refreshLockKey(key: string): string {
  const namespace = cacheKeys.namespaceOf(key);
  return `${namespace}:meta:refresh:${key.slice(namespace.length + 1)}`;
}
