import type { FastifyReply } from 'fastify';
import type { CacheOutcome } from '../two-tier-cache.service';
import { JSON_TYPE } from './cached-reply';

/** The response headers of a cached answer (see CACHE_HEADERS): content type, X-Cache, tier, staleness. */
export function setCacheHeaders(reply: FastifyReply, outcome: Omit<CacheOutcome, 'body'>): void {
  void reply.header('content-type', JSON_TYPE).header('x-cache', outcome.status);
  if (outcome.tier) void reply.header('x-cache-tier', outcome.tier);
  if (outcome.status === 'STALE') {
    void reply.header('age', String(outcome.ageSeconds ?? 0)).header('warning', '110 - "Response is Stale"');
  }
}
