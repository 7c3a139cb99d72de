import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DecimalNumber } from './decimal';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** `?page=&limit=`, the same on every list (default 20 per page, capped at 100). */
export class PaginationQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @DecimalNumber()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @DecimalNumber()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number = DEFAULT_LIMIT;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

/** skip/limit for a query, from validated pagination input. */
export function pageWindow(query: PaginationQuery): { page: number; limit: number; skip: number } {
  const page = query.page ?? 1;
  const limit = query.limit ?? DEFAULT_LIMIT;
  return { page, limit, skip: (page - 1) * limit };
}

/** For Swagger: documents the `{ items, total, page, limit }` envelope. */
export class PageMeta {
  @ApiProperty({ example: 57, description: 'items matching, on every page' }) total: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 20 }) limit: number;
}
