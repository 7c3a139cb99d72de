import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { errorBody } from '../http/error-body';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { RateLimitRejections } from './rate-limit-rejections';

/** Hits a process may spend for one IP between two Redis round trips: a fiftieth of the limit. */
const LEASES_PER_WINDOW = 50;
/** Addresses whose lease this process remembers (least recently seen forgotten first). */
const MAX_TRACKED_ADDRESSES = 100_000;

interface LocalLease {
  remaining: number;
  windowEnds: number;
  /** The limit was reached: refuse until the window ends. */
  exhausted: boolean;
}

/**
 * The per-IP ceiling on every request, enforced in a Fastify onRequest hook registered before
 * the L1 fast path: cache hits served there never reach Nest's guards, and must count too.
 *
 * A Redis round trip per request would halve the L1 hit rate, so each process leases hits from
 * the shared counter a fiftieth of the limit at a time and spends them locally. Leased hits count
 * in Redis when they are taken, so with N instances a client can be refused up to N leases
 * early, never let through beyond the limit. While Redis is down each process counts alone.
 */
@Injectable()
export class GlobalRateLimit {
  private readonly leases = new LRUCache<string, LocalLease>({ max: MAX_TRACKED_ADDRESSES });

  constructor(
    private readonly storage: RedisThrottlerStorage,
    @Inject(ENV) private readonly env: Env,
    private readonly rejections: RateLimitRejections,
  ) {}

  private counted(waitSeconds: number): number {
    if (waitSeconds > 0) this.rejections.count('global');
    return waitSeconds;
  }

  register(fastify: FastifyInstance): void {
    const limit = this.env.RATE_LIMIT_GLOBAL;
    if (limit === 0) return;
    fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const waitSeconds = this.counted(await this.take(request.ip, limit));
      if (waitSeconds === 0) return;
      const body = errorBody(429, `too many requests from this address; retry in ${waitSeconds} s`, request);
      return reply
        .code(429)
        .header('retry-after', String(waitSeconds))
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(body));
    });
  }

  /** 0 when the request may go on, else the seconds to wait. */
  private async take(ip: string, limit: number): Promise<number> {
    const now = Date.now();
    const local = this.leases.get(ip);
    if (local && now < local.windowEnds) {
      if (local.exhausted) return Math.max(1, Math.ceil((local.windowEnds - now) / 1000));
      if (local.remaining > 0) {
        local.remaining--;
        return 0;
      }
    }
    const ttl = this.env.RATE_LIMIT_WINDOW_SECONDS * 1000;
    const chunk = Math.max(1, Math.floor(limit / LEASES_PER_WINDOW));
    const lease = await this.storage.lease(ip, ttl, limit, chunk, 'global');
    if (!lease) {
      this.leases.delete(ip);
      const { isBlocked, timeToBlockExpire } = await this.storage.increment(ip, ttl, limit, ttl, 'global');
      return isBlocked ? Math.max(1, timeToBlockExpire) : 0;
    }
    const windowEnds = now + lease.windowLeftMs;
    if (lease.granted === 0) {
      this.leases.set(ip, { remaining: 0, windowEnds, exhausted: true });
      return Math.max(1, Math.ceil(lease.windowLeftMs / 1000));
    }
    this.leases.set(ip, { remaining: lease.granted - 1, windowEnds, exhausted: false });
    return 0;
  }
}
