import { ArgumentMetadata, BadRequestException, Injectable, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { exceedsValues, freeFormBounds } from './free-form-object';

/** Unknown names listed in a refusal; the rest are counted. */
const MAX_NAMES_LISTED = 20;
/** Characters of validation messages in one refusal (Nest's own budget; the error body bounds it again). */
const MAX_ERROR_MESSAGES_LENGTH = 4000;

/**
 * The global ValidationPipe (whitelist, forbid unknown, transform) plus checks it lacks, made
 * before class-transformer copies anything (it copies objects key by key, superlinearly):
 * - a body for a DTO must be an object (an array would be copied and validated element by element);
 * - a top-level name must be one the DTO declares, whatever it is called: class-validator looks
 *   names up in a plain object, so names inherited from Object.prototype (`toString`,
 *   `constructor`, `__proto__`) would pass its whitelist;
 * - a free-form object (`@IsFreeFormObject(max)`: a filter, parameters) holds at most its
 *   declared number of keys and elements.
 * Refusals list at most 20 names, then a count.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  private readonly declared = new WeakMap<object, Set<string>>();

  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      maxErrorMessagesLength: MAX_ERROR_MESSAGES_LENGTH,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (metatype && (metadata.type === 'query' || metadata.type === 'body')) {
      const known = this.declaredNames(metatype);
      if (known.size > 0) this.checkBeforeCopying(value, metadata.type, known, metatype);
    }
    return super.transform(value, metadata);
  }

  private checkBeforeCopying(value: unknown, type: 'query' | 'body', known: Set<string>, metatype: object): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new BadRequestException(`the ${type === 'body' ? 'body' : 'query'} must be a JSON object`);
    }
    const unknown: string[] = [];
    for (const name of Object.keys(value)) if (!known.has(name)) unknown.push(name);
    if (unknown.length > 0) {
      const listed = unknown.slice(0, MAX_NAMES_LISTED).map((name) => `property ${printable(name)} should not exist`);
      if (unknown.length > MAX_NAMES_LISTED) listed.push(`… and ${unknown.length - MAX_NAMES_LISTED} more unknown properties`);
      throw new BadRequestException(listed);
    }
    for (const [name, max] of Object.entries(freeFormBounds(metatype))) {
      if (exceedsValues((value as Record<string, unknown>)[name], max)) {
        throw new BadRequestException(`${name} is too large: at most ${max} keys and array elements in all`);
      }
    }
  }

  private declaredNames(metatype: object): Set<string> {
    let names = this.declared.get(metatype);
    if (!names) {
      const metadatas = getMetadataStorage().getTargetValidationMetadatas(metatype as new () => unknown, '', true, false);
      names = new Set(metadatas.map((m) => m.propertyName));
      this.declared.set(metatype, names);
    }
    return names;
  }
}

/** A name as it can be shown: escaped, and cut short. */
function printable(name: string): string {
  const escaped = JSON.stringify(name).slice(1, -1);
  return escaped.length > 64 ? `${escaped.slice(0, 64)}…` : escaped;
}
