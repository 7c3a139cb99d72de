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
  @ApiProperty({ example: 1840 }) l1Hits: number;
  @ApiProperty({ example: 212 }) l2Hits: number;
  @ApiProperty({ example: 48 }) misses: number;
  @ApiProperty({ example: 2100 }) requests: number;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.9771 }) hitRatio: number;
}

class L1Stats {
  @ApiProperty({ example: true }) enabled: boolean;
  @ApiProperty({ example: true, description: 'false while L1 is bypassed (Redis or its pub/sub down)' }) serving: boolean;
  @ApiProperty({ example: 37 }) entries: number;
  @ApiProperty({ example: 186_402, description: "what the byte bound counts: the entries' bytes, keys, tags and bookkeeping" })
  bytes: number;
  @ApiProperty({
    example: 1_310_720,
    description: 'what the tier holds: its segments (in use or ready for reuse) and its bookkeeping; at most maxBytes',
  })
  heldBytes: number;
  @ApiProperty({ example: 0, description: 'entries evicted to make room since the process started' }) evictions: number;
  @ApiProperty({ example: 10_000 }) maxEntries: number;
  @ApiProperty({ example: 67_108_864 }) maxBytes: number;
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.8762 }) hitRatio: number;
}

class L2Stats {
  @ApiProperty({ minimum: 0, maximum: 1, example: 0.8154, description: 'hits among the requests L1 did not answer' }) hitRatio: number;
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
    example: {
      games: { l1Hits: 1520, l2Hits: 160, misses: 31, requests: 1711, hitRatio: 0.9819 },
      students: { l1Hits: 320, l2Hits: 52, misses: 17, requests: 389, hitRatio: 0.9563 },
    },
  })
  namespaces: Record<string, HitCounters>;
}

export class CacheKeysPageDto {
  @ApiProperty({ type: [String], example: ['games:list:5b2f0c1e', 'games:id:68e808ca5fef310fb7a1f8c6'] }) keys: string[];
  @ApiProperty({ example: '0', description: 'pass it back as ?cursor= for the next page; "0" when done' }) cursor: string;
  @ApiProperty({ example: true }) done: boolean;
  @ApiProperty({ enum: TIERS, description: 'l1 when no Redis is configured' }) source: string;
}

class TierTtl {
  @ApiProperty({ example: 94_512, description: 'remaining time to live, ms (-1: no expiry)' }) ttlMs: number;
}

export class CacheEntryDto {
  @ApiProperty({ example: 'games:id:68e808ca5fef310fb7a1f8c6' }) key: string;
  @ApiProperty({
    oneOf: [{ type: 'object' }, { type: 'array', items: {} }, { type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    description: "the stored JSON, or the raw string of a bookkeeping key; a non-string key (a namespace's list index) as { type, size }",
    example: {
      _id: '68e808ca5fef310fb7a1f8c6',
      item: 'The Legend of Zelda',
      publisher: 'Nintendo',
      year: 2017,
      genre: ['Action', 'Adventure'],
      platforms: ['Nintendo Switch'],
      price: 59.99,
      available: 4,
    },
  })
  value: unknown;
  @ApiProperty({ type: TierTtl, nullable: true, description: 'null when this instance holds no copy' }) l1: TierTtl | null;
  @ApiProperty({ type: TierTtl, nullable: true, description: 'null when Redis holds no copy (or is down)' }) l2: TierTtl | null;
}

export class ClearCacheResultDto {
  @ApiProperty({ example: 12 }) removed: number;
  @ApiProperty({ example: 'games:', description: 'the prefix cleared ("" for everything)' }) prefix: string;
}

export class RefreshResultDto {
  @ApiProperty({ example: 37, description: 'L1 entries compared with Redis' }) checked: number;
  @ApiProperty({ example: 2 }) updated: number;
  @ApiProperty({ example: 1, description: 'L1 entries Redis no longer has' }) dropped: number;
}
