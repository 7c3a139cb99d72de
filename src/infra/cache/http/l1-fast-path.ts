import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CachePolicy } from './cache-policy';
import { cacheTargetFor } from './cache-target';
import type { QueryCanonicalizer } from './canonical-query';
import { TwoTierCache } from '../two-tier-cache.service';
import { cachedPayload, registerCachedReplies } from './cached-reply';

export { JSON_TYPE } from './cached-reply';

/**
 * Serves L1 hits of public cached routes from a Fastify onRequest hook, before Nest's
 * router, interceptors and pipes run: a hit costs a key computation and a map lookup.
 * Routes are learnt by the interceptor on their first pass; routes with guards or a per-caller
 * scope are never learnt, so authentication always runs for them.
 */
@Injectable()
export class L1FastPath {
  private readonly routes = new Map<string, { policy: CachePolicy; query: QueryCanonicalizer | null }>();

  constructor(private readonly cache: TwoTierCache) {}

  learn(method: string, routeUrl: string | undefined, policy: CachePolicy, query: QueryCanonicalizer | null): void {
    if (routeUrl && method === 'GET' && !policy.scope) this.routes.set(routeUrl, { policy, query });
  }

  register(fastify: FastifyInstance): void {
    registerCachedReplies(fastify);
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (request.method !== 'GET' || this.routes.size === 0) return done();
      const route = this.routes.get(request.routeOptions.url ?? '');
      if (!route || !this.cache.settings.enabled) return done();
      const target = cacheTargetFor(route.policy, request, route.query);
      const entry = target && this.cache.peekL1(target.key);
      if (!entry) return done();
      this.cache.stats.hit(target.namespace, 'l1');
      void reply.header('x-cache', 'HIT').header('x-cache-tier', 'l1');
      void reply.send(cachedPayload(request, reply, entry, false));
    });
  }
}
