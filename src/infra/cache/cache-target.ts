import type { FastifyRequest } from 'fastify';
import { cacheKeys, scopedNamespace } from './cache-keys';
import type { CachePolicy } from './cache-policy';

/** Longer keys are not cached: a client should not be able to fill the cache with huge keys. */
const MAX_KEY_LENGTH = 256;

export interface CacheTarget {
  namespace: string;
  key: string;
}

/** Where a request's answer lives in the cache, or undefined when it is not cacheable. */
export function cacheTargetFor(policy: CachePolicy, request: FastifyRequest): CacheTarget | undefined {
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
    key = cacheKeys.list(namespace, request.query as Record<string, unknown> | undefined);
  }
  return key.length <= MAX_KEY_LENGTH ? { namespace, key } : undefined;
}
