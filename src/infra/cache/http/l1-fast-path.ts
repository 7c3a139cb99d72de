import { ExecutionContext, Injectable } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { APP_GUARD, ModulesContainer, Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROUTE_ACCESS } from '../../../common/kit/access';
import type { CachePolicy } from './cache-policy';
import { cacheTargetFor } from './cache-target';
import type { QueryCanonicalizer } from './canonical-query';
import { TwoTierCache } from '../two-tier-cache.service';

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Serves L1 hits of public cached routes from a Fastify onRequest hook, before Nest's
 * router, interceptors and pipes run: a hit costs a key computation and a map lookup.
 * Routes are learnt by the interceptor on their first pass, and only those declared `@Public()`
 * that no guard would see: none on the route or controller and no global one (APP_GUARD). Any
 * other route, or one with a per-caller scope, is never learnt, so its guards always run.
 */
@Injectable()
export class L1FastPath {
  private readonly routes = new Map<string, { policy: CachePolicy; query: QueryCanonicalizer | null }>();
  private globalGuards: boolean | undefined;

  constructor(
    private readonly cache: TwoTierCache,
    private readonly reflector: Reflector,
    private readonly modules: ModulesContainer,
  ) {}

  learn(
    context: ExecutionContext,
    method: string,
    routeUrl: string | undefined,
    policy: CachePolicy,
    query: QueryCanonicalizer | null,
  ): void {
    if (routeUrl && method === 'GET' && !policy.scope && this.runsNoGuard(context)) this.routes.set(routeUrl, { policy, query });
  }

  /** True when the route is declared public and no guard (route, controller or global) would run for it. */
  private runsNoGuard(context: ExecutionContext): boolean {
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
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (request.method !== 'GET' || this.routes.size === 0) return done();
      const route = this.routes.get(request.routeOptions.url ?? '');
      if (!route || !this.cache.settings.enabled) return done();
      const target = cacheTargetFor(route.policy, request, route.query);
      const body = target && this.cache.peekL1(target.key);
      if (!body) return done();
      this.cache.stats.hit(target.namespace, 'l1');
      void reply.header('content-type', JSON_TYPE).header('x-cache', 'HIT').header('x-cache-tier', 'l1').send(body);
    });
  }
}
