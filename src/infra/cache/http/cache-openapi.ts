import type { OpenAPIObject } from '@nestjs/swagger';
import { CACHE_HEADERS, CACHED_OPERATION } from './cache.decorators';

type Operation = { responses?: Record<string, { description?: string; headers?: Record<string, unknown> }> } & Record<string, unknown>;

/**
 * Declares the cache headers (X-Cache, X-Cache-Tier, ETag, ...) on the 2xx answer of every `@Cached`
 * operation. Done on the finished document because a decorator declaring the 200 itself would
 * replace the route's own 200 (its body schema) or be replaced by it, depending on their order.
 */
export function documentCachedOperations(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      const namespace = operation?.[CACHED_OPERATION];
      if (typeof namespace !== 'string') continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!status.startsWith('2')) continue;
        response.headers = { ...CACHE_HEADERS, ...response.headers };
        const note = `cached in namespace "${namespace}"`;
        response.description = response.description ? `${response.description}; ${note}` : note;
      }
    }
  }
  return document;
}
