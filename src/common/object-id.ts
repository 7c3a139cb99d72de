import { ApiProperty } from '@nestjs/swagger';
import { IsMongoId } from 'class-validator';

/** `:id` route params: a malformed ObjectId is a 400 before any query runs. */
export class ObjectIdParam {
  @ApiProperty({ example: '665f1c2b9d3e4a0012345678', pattern: '^[0-9a-fA-F]{24}$', description: 'MongoDB ObjectId (24 hex characters)' })
  @IsMongoId({ message: 'id must be a valid ObjectId (24 hex characters)' })
  id: string;
}
