import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsTitle } from '../../common/text-rules';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateCollectionDto {
  @ApiProperty({ example: 'Cartas da família, 1920-1950', maxLength: 200 })
  @Transform(trim)
  @IsTitle()
  title: string;

  @ApiPropertyOptional({ example: 'Digitalizações do acervo da avó', maxLength: 2000 })
  @ValidateIf((_, value) => value !== undefined) // optional, but a null is a wrong type, not "absent"
  @IsString()
  @MaxLength(2000)
  description?: string;
}

/** Any subset; a null is a wrong type (400), not "unchanged", so it never reaches MongoDB. */
export class UpdateCollectionDto extends PartialType(CreateCollectionDto, { skipNullProperties: false }) {}
