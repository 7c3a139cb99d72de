import type { FastifyRequest } from 'fastify';
import type { KnownMiss } from '../two-tier-cache.service';
import type { CacheTarget } from './cache-target';

/**
 * What the fast path learnt of a request it let through on an L2 miss: its cache target and the
 * generations of that miss. The interceptor takes it instead of computing the key and reading
 * Redis again. Held by the request object itself (a WeakMap), so it dies with the request.
 */
const misses = new WeakMap<FastifyRequest, { target: CacheTarget; miss: KnownMiss }>();

export function rememberMiss(request: FastifyRequest, target: CacheTarget, miss: KnownMiss): void {
  misses.set(request, { target, miss });
}

export function takeMiss(request: FastifyRequest): { target: CacheTarget; miss: KnownMiss } | undefined {
  const known = misses.get(request);
  if (known) misses.delete(request);
  return known;
}
