import { CacheInterceptor } from '@nestjs/cache-manager';
import { Body, Controller, Get, Header, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DecimalNumber } from '../../common/decimal';
import { AdminOnly } from '../../auth/access';
import { Public } from '../../common/kit';
import { CacheDemoService } from '../cache-demo.service';
import { DemoItemListQuery } from '../dto/demo-item.dto';
import { DemoBenchService } from './demo-bench.service';
import { ApiTag } from '../../infra/http/api-tag';

/** POST /demo/seed. */
export class SeedDemoDto {
  @ApiPropertyOptional({ default: 100, maximum: 10_000 })
  @IsOptional()
  @DecimalNumber()
  @IsInt()
  @Min(1)
  @Max(10_000)
  count?: number;
}

/** Routes the cache's tests and benchmarks compare against (`DEMO_ROUTES=true`); not part of the worked example. */
@ApiTag('demo')
@Controller('demo')
export class DemoBenchController {
  constructor(
    private readonly bench: DemoBenchService,
    private readonly demo: CacheDemoService,
  ) {}

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
    return this.bench.constant();
  }

  @Get('items-stock')
  @Public()
  @UseInterceptors(CacheInterceptor)
  @ApiOperation({ summary: "The same list behind @nestjs/cache-manager's stock CacheInterceptor (for comparison)" })
  listStock(@Query() query: DemoItemListQuery) {
    return this.demo.list(query);
  }

  @Post('seed')
  @AdminOnly()
  seed(@Body() body: SeedDemoDto) {
    return this.bench.seed(body.count ?? 100);
  }
}
