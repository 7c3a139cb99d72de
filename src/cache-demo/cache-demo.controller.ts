import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminOnly, CachedCrudController } from '../common/kit';
import { ObjectIdParam } from '../common/object-id';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { ApiTag } from '../infra/http/api-tag';
import { CacheDemoService } from './cache-demo.service';
import { AddTagDto, CreateDemoItemDto, DemoItemListQuery, DemoItemPage, DemoItemView, UpdateDemoItemDto } from './dto/demo-item.dto';

@ApiTag('demo', 'The worked example of a cached resource (DEMO_ROUTES=true) and the cache benchmark routes')
@Controller('demo/items')
export class CacheDemoController extends CachedCrudController(CacheDemoService, {
  plural: 'demo items',
  types: { view: DemoItemView, page: DemoItemPage, query: DemoItemListQuery, create: CreateDemoItemDto, update: UpdateDemoItemDto },
  writeAccess: AdminOnly,
}) {
  /** A route of your own: declare its access, its answers, and call your service (`this.service` is a CacheDemoService). */
  @Post(':id/tags')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: 'Add a tag to a demo item (a custom write: invalidated like the others)' })
  @ApiOkResponse({ type: DemoItemView })
  @ApiErrors({ 404: 'no such demo item' })
  addTag(@Param() { id }: ObjectIdParam, @Body() { tag }: AddTagDto) {
    return this.service.addTag(id, tag);
  }
}
