import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

/** The one JSON error shape every route answers with. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  path: string;
  timestamp: string;
  requestId?: string;
}

/** The shared body for `status`, about the request at `url` with id `requestId`. */
export function errorBody(status: number, message: string | string[], request: { url: string; id: unknown }): ErrorBody {
  return {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message,
    path: request.url,
    timestamp: new Date().toISOString(),
    requestId: String(request.id),
  };
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
