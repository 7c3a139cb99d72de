import { applyDecorators } from '@nestjs/common';
import { IsObject } from 'class-validator';

const FREE_FORM_BOUNDS = Symbol('freeFormBounds');

/** property → the most keys and array elements its object may hold, all levels counted. */
export type FreeFormBounds = Readonly<Record<string, number>>;

/**
 * A property whose value is an object of the client's making (a query filter, operation
 * parameters): the DTO states its largest size, and StrictValidationPipe refuses a larger one
 * (400) before class-transformer copies it key by key or any validator walks it.
 */
export function IsFreeFormObject(maxValues: number, message?: string): PropertyDecorator {
  const declare: PropertyDecorator = (target, property) => {
    const owner = target.constructor;
    const inherited = (Reflect.getMetadata(FREE_FORM_BOUNDS, owner) as FreeFormBounds | undefined) ?? {};
    Reflect.defineMetadata(FREE_FORM_BOUNDS, { ...inherited, [String(property)]: maxValues }, owner);
  };
  return applyDecorators(IsObject(message ? { message } : undefined), declare);
}

/** The bounds a DTO class (or one it extends) declares; empty when none. */
export function freeFormBounds(metatype: object): FreeFormBounds {
  return (Reflect.getMetadata(FREE_FORM_BOUNDS, metatype) as FreeFormBounds | undefined) ?? {};
}

/**
 * True when `value` holds more than `max` keys and array elements, all levels counted. Stops as
 * soon as it knows, and walks with a list instead of recursion (the body parser has already
 * bounded each object and array, so no single step is large).
 */
export function exceedsValues(value: unknown, max: number): boolean {
  let seen = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    const children = Array.isArray(next) ? next : Object.values(next as Record<string, unknown>);
    seen += children.length;
    if (seen > max) return true;
    for (const child of children) if (typeof child === 'object' && child !== null) pending.push(child);
  }
  return false;
}
