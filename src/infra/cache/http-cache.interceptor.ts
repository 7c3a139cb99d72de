import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, map, Observable, of } from 'rxjs';
import { cacheKeys, scopedNamespace } from './cache-keys';
import { CACHE_POLICY, CachePolicy } from './cache.decorators';
import { TwoTierCache } from './two-tier-cache.service';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Longer keys are not cached: an attacker should not be able to fill the cache with huge keys. */
const MAX_KEY_LENGTH = 256;

/**
 * Route-level cache-aside. A hit sends the stored JSON bytes as they are (no MongoDB, no
 * hydration, no serialization); a miss serializes the handler's result once, stores those
 * bytes and sends them. Only 200 answers are stored: errors pass through untouched.
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly cache: TwoTierCache,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const policy = this.reflector.get<CachePolicy>(CACHE_POLICY, context.getHandler());
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const target = policy && this.cache.settings.enabled ? this.keyFor(policy, request) : undefined;
    if (!target) {
      reply.header('x-cache', 'BYPASS');
      return next.handle();
    }
    const { namespace, key } = target;

    const l1Body = this.cache.peekL1(key);
    if (l1Body) {
      this.cache.stats.hit(namespace, 'l1');
      reply.header('content-type', JSON_TYPE).header('x-cache', 'HIT').header('x-cache-tier', 'l1');
      return of(l1Body);
    }

    const load = () =>
      new Promise<Buffer>((resolve, reject) => {
        next.handle().subscribe({ next: (value) => resolve(Buffer.from(JSON.stringify(value ?? null))), error: reject });
      });
    return from(this.cache.getOrLoad(namespace, key, load, { ttlSeconds: policy.ttlSeconds, isList: policy.kind === 'list' })).pipe(
      map(({ body, tier }) => {
        reply.header('content-type', JSON_TYPE).header('x-cache', tier ? 'HIT' : 'MISS');
        if (tier) reply.header('x-cache-tier', tier);
        return body;
      }),
    );
  }

  private keyFor(policy: CachePolicy, request: FastifyRequest): { namespace: string; key: string } | undefined {
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
}
