import { ApiPropertyOptional } from '@nestjs/swagger';
import { DecimalNumber } from '../../common/decimal';
import { IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class UpdateDemoItemDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @Min(0) price?: number;
}

export class SeedDemoDto {
  @ApiPropertyOptional({ default: 100, maximum: 10_000 })
  @IsOptional()
  @DecimalNumber()
  @IsInt()
  @Min(1)
  @Max(10_000)
  count?: number;
}
