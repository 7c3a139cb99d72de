import type { Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { isDeepStrictEqual } from 'node:util';

/**
 * Turns a raw query string object into the query a handler will see (its DTO's transforms and
 * defaults applied), minus the values equal to the defaults, so every spelling of one query
 * (`page=1`, `page=01`, `page=1.0`, no page at all) maps to one cache key. Undefined when the
 * query is invalid: such a request is not cached and the validation pipe answers 400.
 */
export class QueryCanonicalizer {
  private readonly known: Set<string>;
  private readonly defaults: Record<string, unknown>;

  constructor(private readonly dto: Type) {
    const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    this.known = new Set(metadatas.map((m) => m.propertyName));
    this.defaults = { ...(plainToInstance(dto, {}) as Record<string, unknown>) };
  }

  canonical(raw: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    const query = raw ?? {};
    // Own names only: `toString`, `__proto__` and friends are not declared, whatever they are called.
    for (const name of Object.keys(query)) if (!this.known.has(name)) return undefined;
    const instance = plainToInstance(this.dto, query) as Record<string, unknown>;
    if (validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }).length > 0) return undefined;
    const result: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(instance)) {
      if (value !== undefined && !isDeepStrictEqual(value, this.defaults[name])) result[name] = value;
    }
    return result;
  }
}

const byHandler = new WeakMap<object, QueryCanonicalizer | null>();

/** The canonicalizer of the handler's `@Query()` DTO, or null when it takes no whole-query DTO. */
export function queryCanonicalizerFor(controller: Type, handler: { name: string }): QueryCanonicalizer | null {
  let found = byHandler.get(handler);
  if (found !== undefined) return found;
  found = null;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<
    string,
    { index: number; data?: unknown }
  >;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler.name) ?? []) as unknown[];
  for (const [key, arg] of Object.entries(args)) {
    if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY || arg.data !== undefined) continue;
    const type = types[arg.index];
    if (typeof type === 'function' && type !== Object) found = new QueryCanonicalizer(type as Type);
  }
  byHandler.set(handler, found);
  return found;
}
