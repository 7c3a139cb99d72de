import { randomUUID } from 'node:crypto';
import { REDIS_UNAVAILABLE, RedisConnection } from '../redis/redis.connection';

/** Takes the lease when free, or extends it when ours. KEYS: lease key. ARGV: owner, ttl ms. */
const ACQUIRE_OR_RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Leadership of the change feed: one Redis key with an expiry (a single key, so it works on Redis
 * Cluster too). The holder renews it every third of its lifetime; if the holder dies, another
 * instance takes it when it expires. Without Redis (in-process cache only) every instance leads.
 */
export class FeedLease {
  readonly owner = randomUUID();

  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    readonly ttlMs: number,
  ) {}

  /** Until when the lease is ours by the last successful renewal (ms since epoch). */
  private validUntil = 0;

  /**
   * True when this instance holds the lease: taken or renewed now, or, when Redis did not answer
   * in time (a slow reply must not drop the leader), still within the last renewal's lifetime.
   */
  async hold(): Promise<boolean> {
    if (!this.redis.enabled) return true;
    const asked = Date.now();
    const result = await this.redis.run((redis) => redis.eval(ACQUIRE_OR_RENEW, 1, this.key, this.owner, this.ttlMs));
    if (result === 1) {
      this.validUntil = asked + this.ttlMs;
      return true;
    }
    if (result !== REDIS_UNAVAILABLE) this.validUntil = 0; // another instance holds it
    return Date.now() < this.validUntil;
  }

  async release(): Promise<void> {
    this.validUntil = 0;
    if (!this.redis.enabled) return;
    await this.redis.run((redis) => redis.eval(RELEASE, 1, this.key, this.owner));
  }
}
