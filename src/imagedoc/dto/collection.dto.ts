import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsTitle } from '../../common/text-rules';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateCollectionDto {
  @ApiProperty({ example: 'Cartas da família, 1920-1950', maxLength: 200 })
  @Transform(trim)
  @IsTitle()
  title: string;

  @ApiPropertyOptional({ example: 'Digitalizações do acervo da avó', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class UpdateCollectionDto extends PartialType(CreateCollectionDto) {}
