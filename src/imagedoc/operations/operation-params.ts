import { BadRequestException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { canonicalQuery } from '../../infra/cache';
import { OperationType, PARAMS_BY_TYPE, ResizeParams } from '../dto/operation.dto';

/**
 * Validates an operation's parameters against its class (unknown keys and out-of-range values
 * → 400) and returns them with defaults applied, so `{width: 300}` and
 * `{width: 300, fit: "inside"}` are one operation with one cache key.
 */
export function validateParams(type: OperationType, raw: Record<string, unknown> | undefined): Record<string, unknown> {
  const input = raw ?? {};
  for (const key of Object.keys(input)) {
    if (key.startsWith('$')) throw new BadRequestException(`params.${key} is not allowed`);
  }
  const params = plainToInstance(PARAMS_BY_TYPE[type], input, { exposeDefaultValues: true });
  const errors = validateSync(params, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  if (errors.length) throw new BadRequestException(flatten(errors).map((m) => `params.${m}`));
  if (params instanceof ResizeParams && params.width === undefined && params.height === undefined) {
    throw new BadRequestException('params.width or params.height is required for resize');
  }
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
}

/** Stable text for a parameter set: keys sorted, defaults applied. */
export function canonicalParams(params: Record<string, unknown>): string {
  return canonicalQuery(params) || '{}';
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => {
    const own = Object.values(e.constraints ?? {});
    return own.length ? own : ([] as string[]);
  });
}
