import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, map, Observable } from 'rxjs';
import { setCacheHeaders } from './cache-headers';
import { cacheTargetFor } from './cache-target';
import { takeMiss } from './known-miss';
import { queryCanonicalizerFor } from './canonical-query';
import { preferredCoding } from './accept-encoding';
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
    // The fast path already computed the target and read Redis (a miss) for this request.
    const known = policy ? takeMiss(request) : undefined;
    const target = known?.target ?? (policy && this.cache.settings.enabled ? cacheTargetFor(policy, request, query) : undefined);
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
    const options = {
      ttlSeconds: policy.ttlSeconds,
      isList: policy.kind === 'list',
      staleIfError: isMongoUnavailable,
      coding: preferredCoding(request.headers['accept-encoding']),
    };

    return from(this.cache.getOrLoad(namespace, key, load, options, known?.miss)).pipe(
      map(({ body, entry, tier, stale }) => {
        markCachedReply(request, entry, perCaller);
        setCacheHeaders(reply, stale ? { status: 'STALE', ageSeconds: stale.ageSeconds } : { status: tier ? 'HIT' : 'MISS', tier });
        return body;
      }),
    );
  }
}
