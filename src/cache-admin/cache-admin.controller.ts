import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import {
  CacheEntryDto,
  CacheKeyParam,
  CacheKeysPageDto,
  CacheStatsDto,
  ClearCacheQuery,
  ClearCacheResultDto,
  ListKeysQuery,
  RefreshResultDto,
} from './cache-admin.dto';
import { CacheAdminService } from './cache-admin.service';
import { AdminOnly } from '../auth/access';
import { ApiTag } from '../infra/http/api-tag';

@ApiTag('cache', 'Shared two-tier cache administration (admin)')
@AdminOnly()
@Controller('cache')
export class CacheAdminController {
  constructor(private readonly admin: CacheAdminService) {}

  @Get('stats')
  @ApiOperation({ summary: 'Hits, misses and hit ratio per tier and namespace; L1 size' })
  @ApiOkResponse({ type: CacheStatsDto })
  stats() {
    return this.admin.stats();
  }

  @Get('keys')
  @ApiOperation({ summary: 'List Redis keys by prefix (SCAN, paginated by cursor)' })
  @ApiOkResponse({ type: CacheKeysPageDto })
  @ApiErrors({ 503: 'Redis is configured but unavailable' })
  keys(@Query() query: ListKeysQuery) {
    return this.admin.keys(query.prefix, query.cursor, query.count);
  }

  @Get('entries/:key')
  @ApiOperation({ summary: 'One entry: value and remaining TTL in each tier' })
  @ApiOkResponse({ type: CacheEntryDto })
  @ApiErrors({ 404: 'no such entry in either tier', 503: 'Redis is configured but unavailable' })
  entry(@Param() { key }: CacheKeyParam) {
    return this.admin.entry(key);
  }

  @Delete('entries/:key')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one entry from both tiers on every instance' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors({ 404: 'no such entry in either tier' })
  async deleteEntry(@Param() { key }: CacheKeyParam) {
    await this.admin.delete(key);
  }

  @Delete()
  @ApiOperation({ summary: 'Clear a prefix (a namespace) or everything, both tiers, every instance' })
  @ApiOkResponse({ type: ClearCacheResultDto })
  clear(@Query() query: ClearCacheQuery) {
    return this.admin.clear(query.prefix);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: "Re-sync this instance's L1 from Redis (every local copy updated, or dropped when gone there)" })
  @ApiOkResponse({ type: RefreshResultDto })
  refresh() {
    return this.admin.refresh();
  }
}
