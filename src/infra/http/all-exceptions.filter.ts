import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Error as MongooseError } from 'mongoose';
import { RetryLaterException } from './retry-later.exception';
import { errorBody } from './error-body';
import { isMongoUnavailable } from '../mongo/mongo-errors';

interface Mapped {
  status: number;
  message: string | string[];
}

/** Maps every error to the shared ErrorBody; nothing leaks a stack trace to the client. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, message } = this.map(exception);
    // Deliberate HTTP errors (e.g. a 503 "translation not configured") are answers, not faults.
    if (status >= 500 && !(exception instanceof HttpException)) {
      this.logger.error(
        exception instanceof Error ? exception.message : String(exception),
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    const body = errorBody(status, message, request);
    if (reply.sent) return;
    if (exception instanceof RetryLaterException) void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
  }

  private map(exception: unknown): Mapped {
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message =
        typeof response === 'string' ? response : ((response as { message?: string | string[] }).message ?? exception.message);
      return { status: exception.getStatus(), message };
    }
    if (exception instanceof MongooseError.CastError) {
      return { status: 400, message: `${exception.path} must be a valid ${exception.kind}: ${JSON.stringify(exception.value)}` };
    }
    if (exception instanceof MongooseError.ValidationError) {
      return { status: 400, message: Object.values(exception.errors).map((e) => e.message) };
    }
    if (isDuplicateKey(exception)) {
      const fields = duplicateFields(exception);
      return { status: 409, message: fields.length ? `${fields.join(', ')} already exists` : 'duplicate key' };
    }
    if (isMongoUnavailable(exception)) {
      return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'the database is unavailable; try again shortly' };
    }
    // Fastify's own errors (bad JSON, wrong content type, body too large) carry a 4xx statusCode.
    const statusCode = (exception as { statusCode?: number })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return { status: statusCode, message: (exception as Error).message };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}

interface DuplicateKeyError {
  code: number;
  message?: string;
  keyValue?: object;
  keyPattern?: object;
}

function isDuplicateKey(e: unknown): e is DuplicateKeyError {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}

/** MongoDB names the fields in keyValue/keyPattern; servers that do not still name them in the message. */
function duplicateFields(e: DuplicateKeyError): string[] {
  const named = Object.keys(e.keyValue ?? e.keyPattern ?? {});
  if (named.length) return named;
  const inMessage = e.message?.match(/dup key: \{ ?([^}]*)\}/)?.[1];
  return inMessage ? [...inMessage.matchAll(/"?([\w.]+)"?\s*:/g)].map((m) => m[1]) : [];
}
