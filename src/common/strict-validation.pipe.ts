import { ArgumentMetadata, BadRequestException, Injectable, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

/**
 * The global ValidationPipe (whitelist, forbid unknown, transform) plus one check it lacks:
 * class-validator looks property names up in a plain object, so names inherited from
 * Object.prototype (`toString`, `constructor`, `__proto__`, `hasOwnProperty`) pass its
 * whitelist. Here a top-level name must be one the DTO declares, whatever it is called.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  private readonly declared = new WeakMap<object, Set<string>>();

  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (
      metatype &&
      (metadata.type === 'query' || metadata.type === 'body') &&
      value &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      const known = this.declaredNames(metatype);
      if (known.size > 0) {
        const unknown = Object.keys(value).filter((name) => !known.has(name));
        if (unknown.length > 0) {
          throw new BadRequestException(unknown.map((name) => `property ${JSON.stringify(name).slice(1, -1)} should not exist`));
        }
      }
    }
    return super.transform(value, metadata);
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
