import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { DecimalNumber } from '../common/decimal';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';

/** Redis SCAN cursors are unsigned 64-bit integers; anything larger makes Redis answer an error. */
const MAX_CURSOR = 2n ** 64n - 1n;
function isScanCursor(value: unknown): boolean {
  return typeof value === 'string' && /^\d{1,20}$/.test(value) && BigInt(value) <= MAX_CURSOR;
}

const KEY_PATTERN = /^[A-Za-z0-9_.:-]*$/;
const KEY_MESSAGE = 'may contain only letters, digits and _ . : -';

export class ListKeysQuery {
  @ApiPropertyOptional({ description: 'key prefix, e.g. "games:"', example: 'games:' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(KEY_PATTERN, { message: `prefix ${KEY_MESSAGE}` })
  prefix?: string;

  @ApiPropertyOptional({ description: 'cursor from the previous page ("0" or absent to start)' })
  @IsOptional()
  @IsString()
  @ValidateBy({
    name: 'isScanCursor',
    validator: { validate: isScanCursor, defaultMessage: () => 'cursor must be the number returned by the previous page' },
  })
  cursor?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @DecimalNumber()
  @IsInt()
  @Min(1)
  @Max(1000)
  count?: number;
}

export class ClearCacheQuery {
  @ApiPropertyOptional({ description: 'only keys with this prefix (a namespace, e.g. "games:"); absent: everything' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(KEY_PATTERN, { message: `prefix ${KEY_MESSAGE}` })
  prefix?: string;
}

export class CacheKeyParam {
  @ApiProperty({ example: 'games:list', maxLength: 512, pattern: '^[A-Za-z0-9_.:-]+$' })
  @IsString()
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: `key ${KEY_MESSAGE}` })
  key: string;
}

/* Response shapes, for the OpenAPI document. */

const TIERS = ['l1', 'l2'];
const REDIS_STATES = ['up', 'down', 'disabled'];

class HitCounters {
  @ApiProperty() l1Hits: number;
  @ApiProperty() l2Hits: number;
  @ApiProperty() misses: number;
  @ApiProperty() requests: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) hitRatio: number;
}

class L1Stats {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ description: 'false while L1 is bypassed (Redis or its pub/sub down)' }) serving: boolean;
  @ApiProperty() entries: number;
  @ApiProperty() bytes: number;
  @ApiProperty() maxEntries: number;
  @ApiProperty() maxBytes: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) hitRatio: number;
}

class L2Stats {
  @ApiProperty({ minimum: 0, maximum: 1, description: 'hits among the requests L1 did not answer' }) hitRatio: number;
}

export class CacheStatsDto {
  @ApiProperty({ enum: REDIS_STATES }) redis: string;
  @ApiProperty({ type: L1Stats }) l1: L1Stats;
  @ApiProperty({ type: L2Stats }) l2: L2Stats;
  @ApiProperty({ type: HitCounters }) totals: HitCounters;
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(HitCounters) },
    description: 'per namespace (per-caller namespaces count under their base)',
  })
  namespaces: Record<string, HitCounters>;
}

export class CacheKeysPageDto {
  @ApiProperty({ type: [String] }) keys: string[];
  @ApiProperty({ description: 'pass it back as ?cursor= for the next page; "0" when done' }) cursor: string;
  @ApiProperty() done: boolean;
  @ApiProperty({ enum: TIERS, description: 'l1 when no Redis is configured' }) source: string;
}

class TierTtl {
  @ApiProperty({ description: 'remaining time to live, ms (-1: no expiry)' }) ttlMs: number;
}

export class CacheEntryDto {
  @ApiProperty() key: string;
  @ApiProperty({
    oneOf: [{ type: 'object' }, { type: 'array', items: {} }, { type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    description: "the stored JSON, or the raw string of a bookkeeping key; a non-string key (a namespace's list index) as { type, size }",
  })
  value: unknown;
  @ApiProperty({ type: TierTtl, nullable: true, description: 'null when this instance holds no copy' }) l1: TierTtl | null;
  @ApiProperty({ type: TierTtl, nullable: true, description: 'null when Redis holds no copy (or is down)' }) l2: TierTtl | null;
}

export class ClearCacheResultDto {
  @ApiProperty() removed: number;
  @ApiProperty({ description: 'the prefix cleared ("" for everything)' }) prefix: string;
}

export class RefreshResultDto {
  @ApiProperty({ description: 'L1 entries compared with Redis' }) checked: number;
  @ApiProperty() updated: number;
  @ApiProperty({ description: 'L1 entries Redis no longer has' }) dropped: number;
}
