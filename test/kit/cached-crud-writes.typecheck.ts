/**
 * Type-level test, checked by `npm run typecheck` (not a Jest suite): a service built on the kit
 * cannot write to MongoDB except inside `write()`, which invalidates. Each `@ts-expect-error`
 * below fails the type check the day its line compiles, i.e. the day the kit leaks the model again.
 */
import type { QueryFilter } from 'mongoose';
import {
  DemoItemListQuery,
  toDemoItem,
  toDemoItemView,
  type DemoItemView,
  UpdateDemoItemDto,
} from '../../src/cache-demo/dto/demo-item.dto';
import { DemoItem } from '../../src/cache-demo/schemas/demo-item.schema';
import { CachedCrud } from '../../src/common/kit';

export class SneakyDemoService extends CachedCrud(DemoItem, {
  namespace: 'sneaky',
  noun: 'sneaky item',
  toView: toDemoItemView,
  toDocument: toDemoItem,
  toChanges: (dto: UpdateDemoItemDto) => dto,
}) {
  protected filter(_query: DemoItemListQuery): QueryFilter<DemoItem> {
    return {};
  }

  /** The way in: the model is handed over inside write(), and the ids and lists are invalidated after. */
  rename(id: string, name: string): Promise<DemoItemView> {
    return this.write([id], async (items) =>
      this.viewOf(await items.findByIdAndUpdate(id, { $set: { name } }, { returnDocument: 'after' }).lean(), id),
    );
  }

  async renameSkippingInvalidation(id: string, name: string): Promise<void> {
    // @ts-expect-error -- the model is not a member a subclass can reach (the review's mistake: stale L1/L2 until the TTL)
    await this.model.updateOne({ _id: id }, { $set: { name } });
    // @ts-expect-error -- nor by element access, which TypeScript allows on `private` members
    await this['model'].updateOne({ _id: id }, { $set: { name } });
    // @ts-expect-error -- the read helper answers documents, not a query that could be turned into an update
    await this.reads.findById(id).updateOne({ $set: { name } });
  }

  async readsAreFine(name: string): Promise<number> {
    return (await this.reads.find({ name }, { limit: 5 })).length + (await this.reads.count({}));
  }
}
