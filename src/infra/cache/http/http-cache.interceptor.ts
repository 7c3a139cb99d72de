import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, map, Observable, of } from 'rxjs';
import { setCacheHeaders } from './cache-headers';
import { cacheTargetFor } from './cache-target';
import { queryCanonicalizerFor } from './canonical-query';
import { markCachedReply } from './cached-reply';
import { L1FastPath } from './l1-fast-path';
import { CACHE_POLICY, CachePolicy } from './cache-policy';
import { TwoTierCache } from '../two-tier-cache.service';
import { isMongoUnavailable } from '../../mongo/mongo-errors';

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
    private readonly fastPath: L1FastPath,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const policy = this.reflector.get<CachePolicy>(CACHE_POLICY, context.getHandler());
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const query = policy ? queryCanonicalizerFor(context.getClass(), context.getHandler()) : null;
    const target = policy && this.cache.settings.enabled ? cacheTargetFor(policy, request, query) : undefined;
    if (!target) {
      reply.header('x-cache', 'BYPASS');
      return next.handle();
    }
    const { namespace, key } = target;
    const open = this.fastPath.openToEveryone(context);
    this.fastPath.learn(open, request.method, request.routeOptions.url, policy, query);
    // Answers a guard decides on, or scoped to the caller, are private to that caller.
    const perCaller = policy.scope !== undefined || !open;

    // Also the refresh-ahead's loader: then it runs the handler after this answer was sent.
    const load = () =>
      new Promise<Buffer>((resolve, reject) => {
        next.handle().subscribe({ next: (value) => resolve(Buffer.from(JSON.stringify(value ?? null))), error: reject });
      });
    const options = { ttlSeconds: policy.ttlSeconds, isList: policy.kind === 'list', staleIfError: isMongoUnavailable };

    const l1Entry = this.cache.peekL1(key);
    if (l1Entry) {
      this.cache.stats.hit(namespace, 'l1');
      this.cache.refreshIfDue(namespace, key, l1Entry, load, options);
      reply.header('x-cache', 'HIT').header('x-cache-tier', 'l1');
      markCachedReply(request, l1Entry, perCaller);
      return of(l1Entry.body);
    }

    return from(this.cache.getOrLoad(namespace, key, load, options)).pipe(
      map(({ body, entry, tier, stale }) => {
        markCachedReply(request, entry, perCaller);
        setCacheHeaders(reply, stale ? { status: 'STALE', ageSeconds: stale.ageSeconds } : { status: tier ? 'HIT' : 'MISS', tier });
        return body;
      }),
    );
  }
}
