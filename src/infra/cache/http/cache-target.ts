import type { FastifyRequest } from 'fastify';
import { cacheKeys, scopedNamespace } from '../core/cache-keys';
import type { CachePolicy } from './cache-policy';
import type { QueryCanonicalizer } from './canonical-query';

/** Longer keys are not cached: a client should not be able to fill the cache with huge keys. */
const MAX_KEY_LENGTH = 256;

export interface CacheTarget {
  namespace: string;
  key: string;
}

/**
 * Where a request's answer lives in the cache, or undefined when it is not cacheable. List keys
 * come from the query as the handler's DTO reads it (see QueryCanonicalizer); a list route
 * without a query DTO is cached only when the request has no query.
 */
export function cacheTargetFor(policy: CachePolicy, request: FastifyRequest, query: QueryCanonicalizer | null): CacheTarget | undefined {
  let namespace = policy.namespace;
  if (policy.scope) {
    const scope = policy.scope(request);
    if (scope === undefined) return undefined;
    namespace = scopedNamespace(namespace, scope);
  }
  let key: string;
  if (policy.kind === 'id') {
    const id = (request.params as Record<string, string | undefined>)[policy.idParam ?? 'id'];
    if (!id) return undefined;
    key = cacheKeys.id(namespace, id);
  } else {
    const raw = request.query as Record<string, unknown> | undefined;
    const canonical = query ? query.canonical(raw) : Object.keys(raw ?? {}).length === 0 ? {} : undefined;
    if (!canonical) return undefined;
    key = cacheKeys.list(namespace, canonical);
  }
  return key.length <= MAX_KEY_LENGTH ? { namespace, key } : undefined;
}
