import { Types } from 'mongoose';

/**
 * Turns a lean MongoDB document into its API shape: `_id` and other ObjectIds as strings,
 * dates as ISO strings (what JSON.stringify would do), `__v` dropped.
 */
export function toApi<T extends { _id?: unknown; __v?: unknown }>(doc: T): Omit<T, '__v'> {
  const { __v: _version, ...rest } = doc;
  return JSON.parse(JSON.stringify(rest, (_key, value: unknown) => (value instanceof Types.ObjectId ? value.toHexString() : value)));
}
