import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsMongoId, IsOptional } from 'class-validator';

export class CreateOrderDto {
  @ApiProperty({ example: '6554ae80a1b2c3d4e5f60102', pattern: '^[0-9a-fA-F]{24}$', description: "the customer's customer_id" })
  @IsMongoId({ message: 'customer_id must be 24 hex characters' })
  customer_id: string;

  @ApiProperty({
    example: '6554ae80a1b2c3d4e5f60400',
    pattern: '^[0-9a-fA-F]{24}$',
    description: 'a cart of that customer, not ordered yet',
  })
  @IsMongoId({ message: 'cart_id must be a valid ObjectId (24 hex characters)' })
  cart_id: string;

  @ApiPropertyOptional({ example: '2025-03-14T12:00:00Z', description: 'default now; not in the future' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'created_at must be an ISO 8601 date' })
  created_at?: string;
}
