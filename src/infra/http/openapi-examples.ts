import type { OpenAPIObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { sample } from 'openapi-sampler';
import { type ErrorStatus, isSharedDescription } from './api-errors.decorator';

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: unknown;
}
interface Response {
  description?: string;
  content?: Record<string, MediaType>;
  headers?: Record<string, unknown>;
}
interface Parameter {
  name: string;
  in: string;
  example?: unknown;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  responses?: Record<string, Response>;
}

const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorBodyDto' };
/** Fixed, so the document is the same on every start. */
const EXAMPLE_TIMESTAMP = '2026-05-04T12:00:00.000Z';
const EXAMPLE_REQUEST_ID = '3f1c2b9e-8d4a-4e6b-9a57-2b6f0e1d7c44';

/** What the API says for each status when the route's documentation gives no more precise reason. */
const DEFAULT_MESSAGES: Record<ErrorStatus, string | string[]> = {
  400: ['property color should not exist'],
  401: 'a bearer token is required',
  403: 'this route needs a manager (or the admin token)',
  404: 'not found',
  409: 'conflicts with existing data',
  413: 'the request body is larger than 1048576 bytes',
  414: 'a path parameter is longer than 512 characters',
  415: 'unsupported content type',
  422: 'the file could not be decoded',
  429: 'too many requests from this address; retry in 12 s',
  502: 'the translation server failed',
  503: 'too many password checks in progress; retry in 2 s',
  504: 'the translation server did not answer in time',
};

const RETRY_AFTER = {
  'Retry-After': {
    description: 'seconds to wait before trying again (on 503: when the server is busy, not when a dependency is down)',
    schema: { type: 'integer', minimum: 1, example: 12 },
  },
};

/**
 * Examples a consumer can learn from, on the finished document: every JSON answer without one gets
 * an example built from its schema's property examples (openapi-sampler, which Redoc uses), and
 * every error answer the shared error body, filled in with the route's own path and reason.
 * 429s and 503s declare `Retry-After`.
 */
export function addResponseExamples(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      if (!operation?.responses) continue;
      for (const [code, shared] of Object.entries(operation.responses)) {
        // Global responses (400, 414, 429) are one object in every operation: each gets its own copy.
        const response = (operation.responses[code] = structuredClone(shared));
        const status = Number(code);
        if (status >= 400 && describeError(response, status, examplePath(path, operation)) && (status === 429 || status === 503)) {
          response.headers = { ...RETRY_AFTER, ...response.headers };
        }
        const json = response.content?.['application/json'];
        if (json?.schema && json.example === undefined && json.examples === undefined) {
          json.example = sample(json.schema, { skipWriteOnly: true, quiet: true }, document);
        }
      }
    }
  }
  return document;
}

/**
 * An error answer without a body of its own gets the shared error body, and an example of it.
 * False when the route documents another body (health's 503 is its usual report).
 */
function describeError(response: Response, status: number, path: string): boolean {
  response.content ??= { 'application/json': { schema: ERROR_SCHEMA } };
  const json = response.content['application/json'];
  if (json?.schema?.$ref !== ERROR_SCHEMA.$ref) return false;
  if (json.example !== undefined || !(status in DEFAULT_MESSAGES)) return true;
  json.example = {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    // A route's own description of the error reads as its message; the shared ones do not.
    message:
      response.description && !isSharedDescription(response.description) ? response.description : DEFAULT_MESSAGES[status as ErrorStatus],
    path,
    timestamp: EXAMPLE_TIMESTAMP,
    requestId: EXAMPLE_REQUEST_ID,
  };
  return true;
}

/** The operation's path with each parameter replaced by its example (or its schema's). */
function examplePath(path: string, operation: Operation): string {
  return path.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === name);
    const value = parameter?.example ?? parameter?.schema?.example;
    return value === undefined ? whole : encodeURIComponent(String(value));
  });
}
