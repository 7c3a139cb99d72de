import { redisKey } from '../core/cache-keys';
import { REDIS_UNAVAILABLE, RedisConnection } from './redis.connection';

/** How long a write's record stays: well past the change feed's usual delay (an event seen later is invalidated again). */
export const APPLIED_WRITE_TTL_MS = 10_000;

/** One key an event needs covered: an id of a namespace (its key and every list), or the namespace's lists alone. */
export interface AppliedCheck {
  namespace: string;
  id?: string;
  /** The event's clusterTime (a BSON timestamp as a decimal string). */
  time: string;
}

/**
 * Records of the invalidations the API made after its own MongoDB writes, so that the change feed
 * skips those writes' change events instead of invalidating them again.
 *
 * A record holds the `operationTime`s MongoDB answered the write commands with: the timestamp of the
 * oplog entry each wrote, which is the `clusterTime` of its change event. A follower skips an event
 * only when a record of every key it would drop holds that very time: then the event is that write,
 * which committed before MongoDB answered, and the record was made once its invalidation had reached
 * Redis and every instance. No clock is compared. Records without times (a server that sends no
 * operationTime) are not made, and a missing, expired or evicted record only costs the invalidation again.
 */
export class AppliedWrites {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  /** Called once `invalidate(namespace, ids)` has reached Redis and been broadcast. */
  async record(namespace: string, ids: readonly string[], times: readonly string[]): Promise<void> {
    if (times.length === 0) return;
    const value = times.join(' ');
    // One namespace: on a Cluster its keys share a slot, so one pipeline.
    await this.redis.run((redis) => {
      const pipeline = redis.pipeline().set(this.key(namespace), value, 'PX', APPLIED_WRITE_TTL_MS);
      for (const id of ids) pipeline.set(this.key(namespace, id), value, 'PX', APPLIED_WRITE_TTL_MS);
      return pipeline.exec();
    });
  }

  /** For each check, whether a record holds its time (false when Redis does not answer). */
  async holds(checks: readonly AppliedCheck[]): Promise<boolean[]> {
    const byNamespace = new Map<string, number[]>();
    checks.forEach((check, index) => byNamespace.set(check.namespace, [...(byNamespace.get(check.namespace) ?? []), index]));
    const answers = checks.map(() => false);
    await Promise.all(
      [...byNamespace].map(async ([namespace, indexes]) => {
        const values = await this.redis.run((redis) => redis.mget(indexes.map((i) => this.key(namespace, checks[i].id))));
        if (values === REDIS_UNAVAILABLE) return;
        indexes.forEach((i, n) => (answers[i] = values[n]?.split(' ').includes(checks[i].time) ?? false));
      }),
    );
    return answers;
  }

  /** `<ns>:meta:applied` (the lists) or `<ns>:meta:applied:<id>`, under the deployment's prefix. */
  private key(namespace: string, id?: string): string {
    return redisKey(this.prefix, `${namespace}:meta:applied${id === undefined ? '' : `:${id}`}`, this.redis.isCluster);
  }
}
