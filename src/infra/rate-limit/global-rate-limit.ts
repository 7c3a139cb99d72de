import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import type { ErrorBody } from '../http/error-body';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * The per-IP ceiling on every request, enforced in a Fastify onRequest hook registered before
 * the L1 fast path: cache hits served there never reach Nest's guards, and must count too.
 */
@Injectable()
export class GlobalRateLimit {
  constructor(
    private readonly storage: RedisThrottlerStorage,
    @Inject(ENV) private readonly env: Env,
  ) {}

  register(fastify: FastifyInstance): void {
    const limit = this.env.RATE_LIMIT_GLOBAL;
    if (limit === 0) return;
    const ttl = this.env.RATE_LIMIT_WINDOW_SECONDS * 1000;
    fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const { isBlocked, timeToBlockExpire } = await this.storage.increment(request.ip, ttl, limit, ttl, 'global');
      if (!isBlocked) return;
      const wait = Math.max(1, timeToBlockExpire);
      const body: ErrorBody = {
        statusCode: 429,
        error: STATUS_CODES[429]!,
        message: `too many requests from this address; retry in ${wait} s`,
        path: request.url,
        timestamp: new Date().toISOString(),
        requestId: String(request.id),
      };
      return reply
        .code(429)
        .header('retry-after', String(wait))
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(body));
    });
  }
}
