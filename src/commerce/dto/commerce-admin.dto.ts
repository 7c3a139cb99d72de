import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsMongoId, IsOptional, Max, Min } from 'class-validator';
import { GENERATOR_DEFAULTS } from '../commerce.constants';
import { MAX_INCREMENTAL_CUSTOMERS } from '../crunch/crunch.service';
import { GENERATE_LIMITS } from '../generator/generator.service';

export class GenerateBodyDto {
  @ApiPropertyOptional({ default: GENERATOR_DEFAULTS.customers, maximum: GENERATE_LIMITS.customers })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(GENERATE_LIMITS.customers)
  customers?: number;

  @ApiPropertyOptional({ default: GENERATOR_DEFAULTS.maxOrders, description: 'each customer gets 0..max_orders orders' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(GENERATE_LIMITS.maxOrders)
  max_orders?: number;

  @ApiPropertyOptional({ default: GENERATOR_DEFAULTS.products })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(GENERATE_LIMITS.products)
  products?: number;

  @ApiPropertyOptional({ default: GENERATOR_DEFAULTS.year })
  @IsOptional()
  @IsInt()
  @Min(GENERATE_LIMITS.minYear)
  @Max(GENERATE_LIMITS.maxYear)
  year?: number;

  @ApiPropertyOptional({ default: GENERATOR_DEFAULTS.seed })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  seed?: number;

  @ApiPropertyOptional({ description: 'drop existing commerce data first (otherwise existing data is a 409)' })
  @IsOptional()
  @IsBoolean()
  reset?: boolean;
}

export class CrunchBodyDto {
  @ApiPropertyOptional({ description: 'default: the year the table holds, else ' + GENERATOR_DEFAULTS.year })
  @IsOptional()
  @IsInt()
  @Min(GENERATE_LIMITS.minYear)
  @Max(GENERATE_LIMITS.maxYear)
  year?: number;

  @ApiPropertyOptional({ type: [String], description: 'recompute only these customers (incremental)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_INCREMENTAL_CUSTOMERS)
  @IsMongoId({ each: true, message: 'each customer_id must be 24 hex characters' })
  customer_ids?: string[];
}
