import { Controller } from '@nestjs/common';
import { AdminOnly } from '../auth/access';
import { CachedCrudController } from '../common/kit';
import { CacheDemoService } from './cache-demo.service';
import { CreateDemoItemDto, DemoItemListQuery, DemoItemPage, DemoItemView, UpdateDemoItemDto } from './dto/demo-item.dto';
import { ApiTag } from '../infra/http/api-tag';

@ApiTag('demo', 'The worked example of a cached resource (DEMO_ROUTES=true) and the cache benchmark routes')
@Controller('demo/items')
export class CacheDemoController extends CachedCrudController(CacheDemoService, {
  plural: 'demo items',
  types: { view: DemoItemView, page: DemoItemPage, query: DemoItemListQuery, create: CreateDemoItemDto, update: UpdateDemoItemDto },
  writeAccess: AdminOnly,
}) {}
