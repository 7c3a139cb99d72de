import { CacheInterceptor } from '@nestjs/cache-manager';
import { Body, Controller, Get, Header, Param, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ObjectIdParam } from '../common/object-id';
import { PaginationQuery } from '../common/pagination';
import { Cached } from '../infra/cache/http/cache.decorators';
import { CacheDemoService, DEMO_NS } from './cache-demo.service';
import { SeedDemoDto, UpdateDemoItemDto } from './dto/demo-item.dto';
import { AdminOnly } from '../auth/access';
import { Public } from '../common/kit/access';

/**
 * The smallest complete example of the cache pattern, used by the cache's e2e tests and by
 * `npm run bench:cache`. Mounted only with DEMO_ROUTES=true.
 */
@ApiTags('demo')
@Controller('demo')
export class CacheDemoController {
  constructor(private readonly demo: CacheDemoService) {}

  @Get('ping')
  @Public()
  @ApiOperation({ summary: 'Trivial route: the framework ceiling' })
  ping() {
    return { ok: true };
  }

  @Get('constant')
  @Public()
  @Header('content-type', 'application/json; charset=utf-8')
  @ApiOperation({ summary: 'The list as constant pre-serialized bytes: the ceiling for a cached route' })
  constant() {
    return this.demo.constant();
  }

  @Get('items')
  @Public()
  @Cached({ namespace: DEMO_NS, kind: 'list' })
  list(@Query() query: PaginationQuery) {
    return this.demo.list(query);
  }

  @Get('items-stock')
  @Public()
  @UseInterceptors(CacheInterceptor)
  @ApiOperation({ summary: "The same list behind @nestjs/cache-manager's stock CacheInterceptor (for comparison)" })
  listStock(@Query() query: PaginationQuery) {
    return this.demo.list(query);
  }

  @Get('items/:id')
  @Public()
  @Cached({ namespace: DEMO_NS, kind: 'id' })
  get(@Param() { id }: ObjectIdParam) {
    return this.demo.get(id);
  }

  @Put('items/:id')
  @AdminOnly()
  update(@Param() { id }: ObjectIdParam, @Body() body: UpdateDemoItemDto) {
    return this.demo.update(id, body);
  }

  @Post('seed')
  @AdminOnly()
  seed(@Body() body: SeedDemoDto) {
    return this.demo.seed(body.count ?? 100);
  }
}
