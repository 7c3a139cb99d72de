import { ApiPropertyOptional } from '@nestjs/swagger';
import { DecimalNumber } from '../../common/decimal';
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
  @IsString()
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: `key ${KEY_MESSAGE}` })
  key: string;
}
