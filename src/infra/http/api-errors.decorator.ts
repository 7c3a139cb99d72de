import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, type ApiResponseOptions } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 414 | 415 | 422 | 429 | 502 | 503 | 504;

/** What each status means here unless a route says more precisely. */
const DEFAULT_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'invalid input: unknown fields, wrong types, malformed ids or query operators (the message names the field)',
  401: 'no, malformed, expired or tampered bearer token',
  403: 'the token is valid but the route needs a manager (or the admin token)',
  404: 'not found',
  409: 'conflicts with existing data',
  413: 'request body too large',
  414: 'a path parameter longer than 512 characters',
  415: 'unsupported content type',
  422: 'well-formed, but the content cannot be processed',
  429: 'too many requests: retry after the Retry-After header',
  502: 'an upstream service failed',
  503: 'a dependency is unavailable',
  504: 'an upstream service did not answer in time',
};

/** Whether a response's description is one of the shared defaults above (not a route's own reason). */
export function isSharedDescription(description: string): boolean {
  return Object.values(DEFAULT_DESCRIPTIONS).includes(description);
}

/** The response object for one error status, with the shared error schema. */
export function errorResponse(status: ErrorStatus, description = DEFAULT_DESCRIPTIONS[status]): ApiResponseOptions {
  return { status, description, type: ErrorBodyDto };
}

/**
 * Documents error answers with the shared `{ statusCode, error, message, path, timestamp, requestId }`
 * schema: `@ApiErrors(401, 403)` with the default descriptions, or `@ApiErrors({ 404: 'unknown game' })`.
 */
export function ApiErrors(...specs: (ErrorStatus | Partial<Record<ErrorStatus, string>>)[]) {
  const responses = specs.flatMap((spec) =>
    typeof spec === 'number'
      ? [errorResponse(spec)]
      : Object.entries(spec).map(([status, description]) => errorResponse(Number(status) as ErrorStatus, description)),
  );
  return applyDecorators(ApiExtraModels(ErrorBodyDto), ...responses.map((response) => ApiResponse(response)));
}
