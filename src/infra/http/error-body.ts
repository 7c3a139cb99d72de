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

/** At most this many messages are listed; the last line then counts the rest. */
export const MAX_ERROR_MESSAGES = 20;
/** Characters of one message, and of the path, kept in an error body. */
const MAX_MESSAGE_LENGTH = 300;
const MAX_PATH_LENGTH = 1024;
/** Characters of all messages together, as JSON (escapes make a control character six). */
const MAX_MESSAGES_JSON = 8 * 1024;

/**
 * The shared body for `status`, about the request at `url` with id `requestId`. Bounded
 * whatever the input echoes (unknown names, a long URL): a hostile request never gets an
 * answer larger than itself, nor one that costs much to build.
 */
export function errorBody(status: number, message: string | string[], request: { url: string; id: unknown }): ErrorBody {
  return {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message: Array.isArray(message) ? boundedList(message) : clip(String(message), MAX_MESSAGE_LENGTH),
    path: clip(request.url, MAX_PATH_LENGTH),
    timestamp: new Date().toISOString(),
    requestId: String(request.id),
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** The first messages that fit the limits, then "… and N more". */
function boundedList(messages: string[]): string[] {
  const kept: string[] = [];
  let budget = MAX_MESSAGES_JSON;
  for (const message of messages) {
    if (kept.length === MAX_ERROR_MESSAGES) break;
    const clipped = clip(String(message), MAX_MESSAGE_LENGTH);
    budget -= JSON.stringify(clipped).length;
    if (budget < 0) break;
    kept.push(clipped);
  }
  if (kept.length < messages.length) kept.push(`… and ${messages.length - kept.length} more`);
  return kept;
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
