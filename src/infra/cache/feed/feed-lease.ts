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

/** What Redis said: the lease is ours, another instance holds it, or no answer (Redis unreachable or slow). */
export type LeaseAnswer = 'held' | 'taken' | 'unanswered';

/**
 * One follower slot of the change feed: one Redis key with an expiry (a single key, so it works on
 * Redis Cluster too). The holder renews it every third of its lifetime; if the holder dies, another
 * instance takes it when it expires. Without Redis (in-process cache only) every instance holds it.
 */
export class FeedLease {
  readonly owner = randomUUID();

  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    readonly ttlMs: number,
  ) {}

  /** Takes the lease when free, or renews it when ours. */
  async hold(): Promise<LeaseAnswer> {
    if (!this.redis.enabled) return 'held';
    const result = await this.redis.run((redis) => redis.eval(ACQUIRE_OR_RENEW, 1, this.key, this.owner, this.ttlMs));
    if (result === REDIS_UNAVAILABLE) return 'unanswered';
    return result === 1 ? 'held' : 'taken';
  }

  async release(): Promise<void> {
    if (!this.redis.enabled) return;
    await this.redis.run((redis) => redis.eval(RELEASE, 1, this.key, this.owner));
  }
}
