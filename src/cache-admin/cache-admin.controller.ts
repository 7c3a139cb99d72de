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
  @ApiOperation({
    summary: 'Hits, misses and hit ratio per tier and namespace; L1 size',
    description:
      "This instance's counters since it started (each instance counts its own; /metrics has them per instance too), and its in-process tier's size against its limits.",
  })
  @ApiOkResponse({ type: CacheStatsDto })
  stats() {
    return this.admin.stats();
  }

  @Get('keys')
  @ApiOperation({
    summary: 'List Redis keys by prefix (SCAN, paginated by cursor)',
    description:
      "Pass `cursor` back until `done`. Only keys shaped like this deployment's cache entries are listed (not rate-limit counters, nor other deployments' keys); without Redis, the in-process tier's keys.",
  })
  @ApiOkResponse({ type: CacheKeysPageDto })
  @ApiErrors({ 503: 'Redis is configured but unavailable' })
  keys(@Query() query: ListKeysQuery) {
    return this.admin.keys(query.prefix, query.cursor, query.count);
  }

  @Get('entries/:key')
  @ApiOperation({
    summary: 'One entry: value and remaining TTL in each tier',
    description: 'What a cached route would answer for this key, and how long each tier keeps it (l1: this instance).',
  })
  @ApiOkResponse({ type: CacheEntryDto })
  @ApiErrors({ 404: 'no such entry in either tier', 503: 'Redis is configured but unavailable' })
  entry(@Param() { key }: CacheKeyParam) {
    return this.admin.entry(key);
  }

  @Delete('entries/:key')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete one entry from both tiers on every instance',
    description:
      'Removes it from Redis and publishes the invalidation, so every instance drops its in-process copy; the next read loads from MongoDB.',
  })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors({ 404: 'no such entry in either tier' })
  async deleteEntry(@Param() { key }: CacheKeyParam) {
    await this.admin.delete(key);
  }

  @Delete()
  @ApiOperation({
    summary: 'Clear a prefix (a namespace) or everything, both tiers, every instance',
    description:
      "With `prefix` (e.g. `games:`) only those entries; without, every cache entry of this deployment. Rate-limit counters, the change feed's keys and other deployments' entries are never touched.",
  })
  @ApiOkResponse({ type: ClearCacheResultDto })
  clear(@Query() query: ClearCacheQuery) {
    return this.admin.clear(query.prefix);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: "Re-sync this instance's L1 from Redis (every local copy updated, or dropped when gone there)",
    description:
      'Compares each in-process entry of this instance with Redis: updates the ones that differ, drops the ones Redis no longer has. Invalidations normally travel over pub/sub; this is a manual repair.',
  })
  @ApiOkResponse({ type: RefreshResultDto })
  refresh() {
    return this.admin.refresh();
  }
}
