import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import { RetryLaterException } from '../http/retry-later.exception';
import { RateLimitRejections } from './rate-limit-rejections';

/** @nestjs/throttler's guard answering in the app's error shape, with a plain `Retry-After`. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  // A property, so the base class keeps its own constructor (options, storage, reflector).
  @Inject(RateLimitRejections) private readonly rejections!: RateLimitRejections;

  /** Counts a refusal under the name of the limit that refused it. */
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (error) {
      if (error instanceof RetryLaterException) this.rejections.count(request.throttler.name ?? 'default');
      throw error;
    }
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const wait = Math.max(1, detail.timeToBlockExpire);
    throw new RetryLaterException(429, `too many requests; retry in ${wait} s`, wait);
  }
}
