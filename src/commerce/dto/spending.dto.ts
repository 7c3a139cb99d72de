import { ApiProperty } from '@nestjs/swagger';
import { IsMongoId, IsUUID } from 'class-validator';
import { IsFreeFormObject } from '../../common/free-form-object';
import { MAX_FILTER_VALUES } from '../find/spending-filter';

export class CustomerIdParam {
  @ApiProperty({ example: '6554ae80a1b2c3d4e5f60102', pattern: '^[0-9a-fA-F]{24}$' })
  @IsMongoId({ message: 'customer_id must be 24 hex characters' })
  customer_id: string;
}

export class JobIdParam {
  @ApiProperty({ format: 'uuid', description: 'a version 4 UUID' })
  @IsUUID('4', { message: 'id must be a job id (UUID)' })
  id: string;
}

export class SpendingSearchDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { 'monthly_spenses.mar': { $gt: 100 }, 'categorized_monthly_avg_expense.Livros': { $gte: 10 } },
    description:
      'A MongoDB query on the table: its leaf fields (dotted paths) with $eq $ne $gt $gte $lt $lte $in $nin $exists $not, combined with $and $or $nor' +
      ` (at most ${MAX_FILTER_VALUES} keys and array elements in all)`,
  })
  @IsFreeFormObject(MAX_FILTER_VALUES, 'filter must be a JSON object')
  filter: Record<string, unknown>;
}
