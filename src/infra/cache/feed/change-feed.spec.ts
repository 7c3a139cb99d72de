import { mongo } from 'mongoose';
import { toFeedChange } from './feed-event';

type Event = Parameters<typeof toFeedChange>[0];

describe('toFeedChange', () => {
  it("takes the _id from the looked-up document (the stand-in puts the update's spec in documentKey)", () => {
    const id = new mongo.ObjectId();
    const change = toFeedChange({
      operationType: 'update',
      documentKey: { $set: { price_cents: 1 } },
      fullDocument: { _id: id, price_cents: 1 },
      updateDescription: { updatedFields: {}, removedFields: [] },
    } as unknown as Event);
    expect(change).toMatchObject({ operationType: 'update', id: id.toHexString(), changedFields: undefined });
  });

  it('reads a delete from documentKey, and the changed fields when MongoDB lists them', () => {
    expect(toFeedChange({ operationType: 'delete', documentKey: { _id: '2700000001' } } as unknown as Event).id).toBe('2700000001');
    const update = toFeedChange({
      operationType: 'update',
      documentKey: { _id: 7 },
      fullDocument: null,
      updateDescription: { updatedFields: { 'scores.essay': 1 }, removedFields: ['x'] },
    } as unknown as Event);
    expect(update).toMatchObject({ id: '7', after: null, changedFields: ['scores.essay', 'x'] });
  });

  it('leaves the id undefined when the event names no usable _id', () => {
    expect(toFeedChange({ operationType: 'update', documentKey: { $set: {} }, fullDocument: null } as unknown as Event).id).toBeUndefined();
  });
});
