import { applyDecorators, SetMetadata, type Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';

const API_TAG = 'cachebook:api-tag';

interface TagDoc {
  name: string;
  description?: string;
}

/**
 * `@ApiTags(name)` plus the tag's description in the OpenAPI document, declared by the module's
 * own controller (give the description on one controller of the tag); the app factory only collects them.
 */
export const ApiTag = (name: string, description?: string) =>
  applyDecorators(ApiTags(name), SetMetadata(API_TAG, { name, description } satisfies TagDoc));

/** Every tag the mounted controllers declare, in module order, each with its first description. */
export function declaredTags(modules: ModulesContainer): TagDoc[] {
  const tags = new Map<string, TagDoc>();
  for (const module of modules.values()) {
    for (const { metatype } of module.controllers.values()) {
      const tag = metatype && (Reflect.getMetadata(API_TAG, metatype as Type) as TagDoc | undefined);
      if (tag && !tags.get(tag.name)?.description) tags.set(tag.name, tag);
    }
  }
  return [...tags.values()];
}
