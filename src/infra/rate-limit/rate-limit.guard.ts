import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler';
import { RetryLaterException } from '../http/retry-later.exception';

/** @nestjs/throttler's guard answering in the app's error shape, with a plain `Retry-After`. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const wait = Math.max(1, detail.timeToBlockExpire);
    throw new RetryLaterException(429, `too many requests; retry in ${wait} s`, wait);
  }
}
