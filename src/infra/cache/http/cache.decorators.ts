import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExtension, ApiHeader, ApiResponse } from '@nestjs/swagger';
import { CACHED_ROUTE_CONFIG } from './cached-reply';
import { CACHE_POLICY, CachePolicy } from './cache-policy';
import { HttpCacheInterceptor } from './http-cache.interceptor';

/** Operation extension set by `@Cached` (the route's cache namespace): cache-openapi.ts reads it. */
export const CACHED_OPERATION = 'x-cache-namespace';

/** Response headers of every cached route (documented on its 2xx answer: see cache-openapi.ts). */
export const CACHE_HEADERS = {
  'X-Cache': {
    description: 'HIT or MISS (BYPASS when the cache is off; STALE, with Age and Warning, when MongoDB is unreachable)',
    schema: { type: 'string', enum: ['HIT', 'MISS', 'BYPASS', 'STALE'] },
  },
  'X-Cache-Tier': { description: 'on hits: l1 (in-process) or l2 (Redis)', schema: { type: 'string', enum: ['l1', 'l2'] } },
  ETag: { description: 'strong validator of the body; send it back in If-None-Match to get a 304', schema: { type: 'string' } },
  'Content-Encoding': {
    description: 'br or gzip (stored forms, for bodies of CACHE_COMPRESS_MIN_BYTES or more) when Accept-Encoding allows',
    schema: { type: 'string' },
  },
  'Cache-Control': { description: 'no-cache (private, no-cache when the answer depends on the caller)', schema: { type: 'string' } },
};

/** Serves a GET route cache-aside through both tiers with `X-Cache: HIT|MISS`. */
export function Cached(policy: CachePolicy) {
  return applyDecorators(
    SetMetadata(CACHE_POLICY, policy),
    RouteConfig(CACHED_ROUTE_CONFIG),
    UseInterceptors(HttpCacheInterceptor),
    // Marks the operation; its own 2xx answer (declared beside, in any order) gets the cache headers.
    ApiExtension(CACHED_OPERATION, policy.namespace),
    ApiResponse({ status: 304, description: 'Not Modified: If-None-Match names the current ETag (no body)' }),
    ApiHeader({ name: 'If-None-Match', required: false, description: 'ETag(s) of a copy the client holds' }),
    ApiHeader({ name: 'X-Request-Id', required: false, description: 'echoed back; generated when absent' }),
  );
}
