import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one JSON error shape every route answers with. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  path: string;
  timestamp: string;
  requestId?: string;
}

/** ErrorBody for the OpenAPI document: every documented 4xx/5xx points at this one schema. */
export class ErrorBodyDto implements ErrorBody {
  @ApiProperty({ example: 400, minimum: 400, maximum: 599 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request', description: 'the status text' })
  error: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['price must not be less than 0'],
    description: 'what to fix; validation errors list one message per field',
  })
  message: string | string[];

  @ApiProperty({ example: '/games?price=-1', description: 'the request URL' })
  path: string;

  @ApiProperty({ format: 'date-time' })
  timestamp: string;

  @ApiPropertyOptional({ description: 'the X-Request-Id of the request (also in the logs)' })
  requestId?: string;
}
