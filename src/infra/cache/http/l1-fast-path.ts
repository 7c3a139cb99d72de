import { ExecutionContext, Injectable } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { APP_GUARD, ModulesContainer, Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { ROUTE_ACCESS } from '../../http/route-access';
import { preferredCoding } from './accept-encoding';
import type { CachePolicy } from './cache-policy';
import { CacheTarget, cacheTargetFor } from './cache-target';
import type { QueryCanonicalizer } from './canonical-query';
import { CachedBody, TwoTierCache } from '../two-tier-cache.service';
import { cachedPayload, registerCachedReplies } from './cached-reply';
import { rememberMiss } from './known-miss';

export { JSON_TYPE } from './cached-reply';

/**
 * Serves hits of public cached routes from a Fastify onRequest hook, before Nest's router,
 * interceptors and pipes run: an L1 hit costs a key computation and a map lookup; an L2 hit one
 * Redis round trip (then promoted to L1). Misses go on to Nest (the interceptor loads and stores).
 * Routes are learnt by the interceptor on their first pass, and only those declared `@Public()`
 * that no guard would see: none on the route or controller and no global one (APP_GUARD). Any
 * other route, or one with a per-caller scope, is never learnt, so its guards always run.
 */
@Injectable()
export class L1FastPath {
  private readonly routes = new Map<string, { policy: CachePolicy; query: QueryCanonicalizer | null }>();
  /**
   * URL → its cache target (false: not cacheable), for learnt routes: they are public, so the
   * URL alone decides the key, and canonicalizing a list query (the DTO's transforms and
   * validation) would otherwise cost more than the rest of a hit.
   */
  private readonly targets = new LRUCache<string, CacheTarget | false>({ max: 10_000 });
  private globalGuards: boolean | undefined;

  constructor(
    private readonly cache: TwoTierCache,
    private readonly reflector: Reflector,
    private readonly modules: ModulesContainer,
  ) {}

  /** `open`: what `openToEveryone` said of this route (the interceptor asks once per request). */
  learn(open: boolean, method: string, routeUrl: string | undefined, policy: CachePolicy, query: QueryCanonicalizer | null): void {
    if (open && routeUrl && method === 'GET' && !policy.scope) this.routes.set(routeUrl, { policy, query });
  }

  /** True when the route is declared public and no guard (route, controller or global) would run for it. */
  openToEveryone(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<string>(ROUTE_ACCESS, targets) !== 'public') return false;
    if (this.reflector.getAllAndMerge<unknown[]>(GUARDS_METADATA, targets).length > 0) return false;
    // APP_GUARD providers are registered under `APP_GUARD (UUID: …)` tokens, static or request-scoped.
    // (Guards passed to app.useGlobalGuards() are not visible here: register guards as APP_GUARD.)
    this.globalGuards ??= [...this.modules.values()].some((module) =>
      [...module.providers.keys(), ...module.injectables.keys()].some(
        (token) => typeof token === 'string' && token.startsWith(`${APP_GUARD} (`),
      ),
    );
    return !this.globalGuards;
  }

  register(fastify: FastifyInstance): void {
    registerCachedReplies(fastify);
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (request.method !== 'GET' || this.routes.size === 0) return done();
      const route = this.routes.get(request.routeOptions.url ?? '');
      if (!route || !this.cache.settings.enabled) return done();
      const target = this.targetOf(request, route.policy, route.query);
      if (!target) return done();
      const entry = this.cache.peekL1(target.key, preferredCoding(request.headers['accept-encoding']));
      // Due for a refresh-ahead: this request goes through Nest, whose interceptor can reload.
      if (entry && this.cache.refreshAhead.wants(target.key, entry, route.policy.ttlSeconds)) return done();
      if (entry) {
        this.cache.stats.hit(target.namespace, 'l1');
        return send(request, reply, entry, 'l1');
      }
      this.cache.peekL2(target.namespace, target.key, route.policy.kind === 'list').then(
        (peek) => {
          if (peek?.hit) return send(request, reply, peek.hit, 'l2');
          if (peek?.miss) rememberMiss(request, target, peek.miss);
          done();
        },
        () => done(),
      );
    });
  }

  private targetOf(request: FastifyRequest, policy: CachePolicy, query: QueryCanonicalizer | null): CacheTarget | undefined {
    const url = request.url;
    let target = this.targets.get(url);
    if (target === undefined) {
      target = cacheTargetFor(policy, request, query) ?? false;
      if (url.length <= MAX_REMEMBERED_URL) this.targets.set(url, target);
    }
    return target || undefined;
  }
}

const MAX_REMEMBERED_URL = 512;

function send(request: FastifyRequest, reply: FastifyReply, entry: CachedBody, tier: 'l1' | 'l2'): void {
  void reply.header('x-cache', 'HIT').header('x-cache-tier', tier);
  void reply.send(cachedPayload(request, reply, entry, false));
}
