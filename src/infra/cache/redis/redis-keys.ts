import { cacheKeys, logicalKey, redisKey, redisKeyPattern } from '../core/cache-keys';

/**
 * Names in Redis of the cache's logical keys. The deployment's prefix (CACHE_KEY_PREFIX) goes in
 * front, so deployments sharing a Redis never meet; it is empty by default, which keeps the plain
 * names (`games:list`, `games:id:<id>`). On a Cluster the namespace is a hash tag (`{games}:id:1`),
 * so its keys share a slot (see redisKey). Everything above Redis (L1, the bus, callers) speaks
 * logical keys.
 */
export class RedisKeys {
  constructor(
    private readonly prefix: string,
    private readonly cluster: boolean,
  ) {}

  /** The name in Redis of a logical key. */
  of(key: string): string {
    return redisKey(this.prefix, key, this.cluster);
  }

  generation(namespace: string): string {
    return this.of(cacheKeys.generation(namespace));
  }

  listIndex(namespace: string): string {
    return this.of(cacheKeys.listIndex(namespace));
  }

  refreshLock(key: string): string {
    return this.of(cacheKeys.refreshLock(key));
  }

  /** The logical key of a name found in Redis; undefined when it is not one of this deployment's. */
  logical(name: string): string | undefined {
    return logicalKey(this.prefix, name, this.cluster);
  }

  /** SCAN pattern for the names in Redis of the logical keys starting with `prefix`. */
  pattern(prefix: string): string {
    return redisKeyPattern(this.prefix, prefix, this.cluster);
  }
}
