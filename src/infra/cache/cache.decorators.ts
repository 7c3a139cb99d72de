import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { HttpCacheInterceptor } from './http-cache.interceptor';

export const CACHE_POLICY = Symbol('CACHE_POLICY');

export interface CachePolicy {
  namespace: string;
  /** `id`: one document keyed by a route param; `list`: keyed by the query string. */
  kind: 'id' | 'list';
  /** Route param holding the id (default `id`). */
  idParam?: string;
  /** Seconds; default CACHE_TTL_SECONDS. */
  ttlSeconds?: number;
  /**
   * For answers that depend on the caller: the namespace becomes `<namespace>.<scope>` (e.g. one
   * user's collections), invalidated with `cache.invalidate(scopedNamespace(ns, scope), ids)`.
   * Returning undefined bypasses the cache.
   */
  scope?: (request: FastifyRequest) => string | undefined;
}

/** Serves a GET route cache-aside through both tiers with `X-Cache: HIT|MISS`. */
export function Cached(policy: CachePolicy) {
  return applyDecorators(
    SetMetadata(CACHE_POLICY, policy),
    UseInterceptors(HttpCacheInterceptor),
    ApiResponse({
      status: 200,
      description: `Cached in namespace "${policy.namespace}"`,
      headers: {
        'X-Cache': {
          description: 'HIT or MISS (BYPASS when the cache is off; STALE, with Age and Warning, when MongoDB is unreachable)',
          schema: { type: 'string' },
        },
        'X-Cache-Tier': { description: 'on hits: l1 (in-process) or l2 (Redis)', schema: { type: 'string' } },
      },
    }),
    ApiHeader({ name: 'X-Request-Id', required: false, description: 'echoed back; generated when absent' }),
  );
}
