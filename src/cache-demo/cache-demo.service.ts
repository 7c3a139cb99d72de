import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { CachedCrudService, containsText } from '../common/kit';
import { documentSource } from '../infra/cache/feed/feed-source';
import { TwoTierCache } from '../infra/cache/two-tier-cache.service';
import { CreateDemoItemDto, DemoItemListQuery, DemoItemView, toDemoItem, toDemoItemView, UpdateDemoItemDto } from './dto/demo-item.dto';
import { DemoItem } from './schemas/demo-item.schema';

/** Cache namespace: keys `demo:id:<id>`, `demo:list`, `demo:list:<sha1>`. */
export const DEMO_NS = 'demo';

/** Writes made outside the API (another service, the shell) drop the item's key and every list. */
export const DEMO_FEED = documentSource('demo_items', DEMO_NS);

@Injectable()
export class CacheDemoService extends CachedCrudService<DemoItem, DemoItemView, DemoItemListQuery, CreateDemoItemDto, UpdateDemoItemDto> {
  constructor(@InjectModel(DemoItem.name) items: Model<DemoItem>, cache: TwoTierCache) {
    super(items, cache, { namespace: DEMO_NS, noun: 'demo item', toView: toDemoItemView, toDocument: toDemoItem, toChanges: (dto) => dto });
  }

  protected filter(query: DemoItemListQuery): QueryFilter<DemoItem> {
    return query.q ? { name: containsText(query.q) } : {};
  }
}
