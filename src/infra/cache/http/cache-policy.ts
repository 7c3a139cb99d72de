import type { FastifyRequest } from 'fastify';

/** Route metadata written by @Cached and read by the interceptor and the L1 fast path. */
export const CACHE_POLICY = Symbol('CACHE_POLICY');

export interface CachePolicy {
  namespace: string;
  /** `id`: one document keyed by a route param; `list`: keyed by the query string. */
  kind: 'id' | 'list';
  /** Route param holding the id (default `id`). */
  idParam?: string;
  /** Seconds; default CACHE_TTL_SECONDS. */
  ttlSeconds?: number;
  /**
   * For answers that depend on the caller: the namespace becomes `<namespace>.<scope>` (e.g. one
   * user's collections), invalidated with `CacheInvalidator.invalidate(scopedNamespace(ns, scope), ids)`.
   * Returning undefined bypasses the cache.
   */
  scope?: (request: FastifyRequest) => string | undefined;
}
