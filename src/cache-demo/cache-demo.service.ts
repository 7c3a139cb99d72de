import { Injectable } from '@nestjs/common';
import type { QueryFilter } from 'mongoose';
import { CachedCrud, containsText, documentFeed } from '../common/kit';
import { DemoItemListQuery, DemoItemView, toDemoItem, toDemoItemView, UpdateDemoItemDto } from './dto/demo-item.dto';
import { DemoItem, DemoItemSchema } from './schemas/demo-item.schema';

/** Cache namespace: keys `demo:id:<id>`, `demo:list`, `demo:list:<sha1>`. */
export const DEMO_NS = 'demo';

/** Writes made outside the API (another service, the shell) to the schema's collection drop the item's key and every list. */
export const DEMO_FEED = documentFeed(DemoItemSchema, DEMO_NS);

@Injectable()
export class CacheDemoService extends CachedCrud(DemoItem, {
  namespace: DEMO_NS,
  noun: 'demo item',
  toView: toDemoItemView,
  toDocument: toDemoItem,
  toChanges: (dto: UpdateDemoItemDto) => dto,
}) {
  protected filter(query: DemoItemListQuery): QueryFilter<DemoItem> {
    return query.q ? { name: containsText(query.q) } : {};
  }

  /**
   * A write of your own (atomic, which a PATCH of the whole list could not be): `write()` hands over
   * the model, then drops the item's key and every list, as the kit's own writes do.
   */
  addTag(id: string, tag: string): Promise<DemoItemView> {
    return this.write([id], async (items) =>
      this.viewOf(
        await items.findByIdAndUpdate(id, { $addToSet: { tags: tag } }, { returnDocument: 'after', runValidators: true }).lean(),
        id,
      ),
    );
  }
}
