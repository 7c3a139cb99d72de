import { HttpException } from '@nestjs/common';

/** A 429 or 503 that tells the client when to come back (the error filter sends `Retry-After`). */
export class RetryLaterException extends HttpException {
  constructor(
    status: 429 | 503,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, status);
  }
}
