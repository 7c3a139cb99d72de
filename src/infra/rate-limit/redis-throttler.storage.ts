import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import { ENV } from '../../config/config.module';
import { cacheKeyPrefix, type Env } from '../../config/env';
import { REDIS_UNAVAILABLE, RedisConnection } from '../cache/redis/redis.connection';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * One fixed window per key: the first hit starts it, hits past the limit block the key for the
 * block duration. Atomic in one script, so the count holds across instances.
 * KEYS: hits key, block key. ARGV: window ms, limit, block ms.
 * Returns hits, window ms left, blocked (0/1), block ms left.
 */
const INCREMENT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or ARGV[2]), redis.call('PTTL', KEYS[1]), 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, left, 1, tonumber(ARGV[3])}
end
return {hits, left, 0, 0}
`;

/**
 * Takes `chunk` hits at once from a fixed window (see GlobalRateLimit). KEYS: hits key.
 * ARGV: window ms, chunk. Returns the window's total after this lease, and its ms left.
 */
const LEASE = `
local total = redis.call('INCRBY', KEYS[1], ARGV[2])
if total == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {total, redis.call('PTTL', KEYS[1])}
`;

export interface Lease {
  /** Hits this caller may spend locally (0: the limit is reached). */
  granted: number;
  /** Ms until the window ends. */
  windowLeftMs: number;
}

/**
 * Rate-limit counters in Redis on the cache's own connection (timeouts, breaker), so limits hold
 * across instances. While Redis is down or slow the counters fall back to this process's memory
 * (@nestjs/throttler's own storage): limits then hold per instance, not across them — fail
 * open to a weaker limit rather than refusing every request or none.
 *
 * Why not @nest-lab/throttler-storage-redis: its 1.2.0 declares Nest ≤ 11 as peers (this app
 * is on Nest 12), and it opens its own connection without the cache's timeouts and breaker.
 */
@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new ThrottlerStorageService();
  private usingLocal = false;

  /** The deployment's key prefix (as the cache's), so deployments sharing one Redis count apart. */
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(ENV) env: Env,
  ) {
    this.prefix = cacheKeyPrefix(env);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<ThrottlerStorageRecord> {
    const hitsKey = this.hitsKey(name, key);
    const result = await this.redis.run(
      (client) => client.eval(INCREMENT, 2, hitsKey, `${hitsKey}:blocked`, ttl, limit, blockDuration) as Promise<number[]>,
    );
    if (result === REDIS_UNAVAILABLE) {
      if (!this.usingLocal) this.logger.warn('Redis unavailable: rate limits are counted in this process until it returns');
      this.usingLocal = true;
      return this.local.increment(key, ttl, limit, blockDuration, name);
    }
    if (this.usingLocal) this.logger.log('Redis is back: rate limits are shared across instances again');
    this.usingLocal = false;
    const [totalHits, windowLeft, blocked, blockLeft] = result.map(Number);
    return {
      totalHits,
      timeToExpire: Math.max(0, Math.ceil(windowLeft / 1000)),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.max(0, Math.ceil(blockLeft / 1000)),
    };
  }

  /**
   * Reserves up to `chunk` hits of `limit` in the current window, in one round trip; undefined
   * while Redis is unavailable (the caller then counts with `increment`, which falls back locally).
   */
  async lease(key: string, ttl: number, limit: number, chunk: number, name: string): Promise<Lease | undefined> {
    const result = await this.redis.run((client) => client.eval(LEASE, 1, this.hitsKey(name, key), ttl, chunk) as Promise<number[]>);
    if (result === REDIS_UNAVAILABLE) return undefined;
    const [total, left] = result.map(Number);
    return { granted: Math.max(0, Math.min(chunk, limit - (total - chunk))), windowLeftMs: left > 0 ? left : ttl };
  }

  /** `[<prefix>]ratelimit:<name>:<key>`; a hash tag on a Cluster, so its `:blocked` companion shares the slot. */
  private hitsKey(name: string, key: string): string {
    const base = `${this.prefix}ratelimit:${name}:${key}`;
    return this.redis.isCluster ? `{${base}}` : base;
  }

  onApplicationShutdown() {
    this.local.onApplicationShutdown();
  }
}
