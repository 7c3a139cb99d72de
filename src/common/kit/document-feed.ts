import type { Schema } from 'mongoose';
import { documentSource, type FeedSource } from '../../infra/cache';

/** The collection a schema declares with `@Schema({ collection })`: the one name its model and its change feed share. */
export function collectionOf(schema: Schema): string {
  const collection: unknown = schema.get('collection');
  if (typeof collection !== 'string' || collection === '') {
    throw new Error("a cached resource's schema names its collection: @Schema({ collection: '<name>' })");
  }
  return collection;
}

/**
 * The change-feed source of a cached resource, read from its schema: a change to a document of the
 * schema's collection, made anywhere, drops `<namespace>:id:<_id>` and every list of the namespace.
 */
export function documentFeed(schema: Schema, namespace: string): FeedSource {
  return documentSource(collectionOf(schema), namespace);
}
