import { mongo } from 'mongoose';
import type { FeedChange, FeedSource, FeedTarget } from './feed-source';

/** A change event as the feed's streams receive it. */
export type FeedEvent = mongo.ChangeStreamDocument & {
  fullDocumentBeforeChange?: Record<string, unknown> | null;
  wallTime?: Date;
};

/** The document's fields as a feature's mapping sees them. */
export function toFeedChange(event: FeedEvent): FeedChange {
  const operationType = event.operationType as FeedChange['operationType'];
  const after = 'fullDocument' in event ? (event.fullDocument as Record<string, unknown> | null | undefined) : undefined;
  // The stand-in puts an update's spec in documentKey: prefer the looked-up document's _id.
  const key = 'documentKey' in event ? (event.documentKey as Record<string, unknown> | undefined) : undefined;
  const id = idString(after?._id) ?? idString(key?._id);
  let changedFields: string[] | undefined;
  if (event.operationType === 'update') {
    const description = event.updateDescription;
    const fields = [...Object.keys(description?.updatedFields ?? {}), ...(description?.removedFields ?? [])];
    changedFields = fields.length ? fields : undefined; // the stand-in sends an empty description: unknown
  }
  return { operationType, id, after, before: event.fullDocumentBeforeChange, changedFields };
}

function idString(id: unknown): string | undefined {
  if (typeof id === 'string') return id;
  if (typeof id === 'number') return String(id);
  if (id instanceof mongo.ObjectId) return id.toHexString();
  return undefined;
}

/** The event's clusterTime (its oplog timestamp) as a decimal string, as AppliedWrites records write times. */
export function clusterTime(event: FeedEvent): string | undefined {
  return (event as { clusterTime?: mongo.Timestamp }).clusterTime?.toString();
}

/** MongoDB's commit time of the event in ms: wallTime (MongoDB 6+), else clusterTime's seconds. */
export function commitTime(event: FeedEvent): number | undefined {
  if (event.wallTime instanceof Date) return event.wallTime.getTime();
  const clusterTime = (event as { clusterTime?: mongo.Timestamp }).clusterTime;
  return clusterTime ? clusterTime.getHighBitsUnsigned() * 1000 : undefined;
}

/** What one event drops: its document's targets, or everything the collection feeds when the collection itself went. */
export function eventTargets(source: FeedSource, event: FeedEvent): readonly FeedTarget[] {
  switch (event.operationType) {
    case 'insert':
    case 'update':
    case 'replace':
    case 'delete':
      return source.targets(toFeedChange(event));
    case 'invalidate':
    case 'drop':
    case 'rename':
    case 'dropDatabase':
      return source.everything;
    default:
      return [];
  }
}
