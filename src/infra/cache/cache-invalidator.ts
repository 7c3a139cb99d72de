import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CACHE_SETTINGS, CacheSettings } from './core/cache.settings';
import { cacheKeys } from './core/cache-keys';
import { LocalTier } from './local-tier';
import { AppliedWrites } from './redis/applied-writes';
import { CacheBus } from './redis/cache-bus';
import { L2Tier } from './redis/l2-tier';
import { REDIS_UNAVAILABLE, RedisConnection } from './redis/redis.connection';

/**
 * Removes entries from both tiers on every instance: in Redis (the generation moves, so a fill
 * that read the source before cannot store after), in this process, and in every other
 * process through the bus. What cannot reach Redis now is queued and replayed until it lands;
 * meanwhile this instance reads the namespace from the source (Redis may still hold what the
 * write made stale).
 */
@Injectable()
export class CacheInvalidator implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  /** Invalidations that could not reach Redis (or be published), by namespace. */
  private readonly pending = new Map<string, Set<string>>();
  private replayTimer?: NodeJS.Timeout;
  private replaying = false;
  /** Records of the API's own invalidations, so that the change feed skips their events (see AppliedWrites). */
  readonly appliedWrites: AppliedWrites;

  constructor(
    private readonly local: LocalTier,
    private readonly l2: L2Tier,
    private readonly bus: CacheBus,
    private readonly redis: RedisConnection,
    @Inject(CACHE_SETTINGS) settings: CacheSettings,
  ) {
    this.appliedWrites = new AppliedWrites(redis, settings.keyPrefix);
  }

  onModuleInit() {
    this.bus.onMessage((message) => {
      if (message.kind === 'invalidate') this.local.drop(message.namespace, message.keys);
      else this.local.clear(message.prefix);
    });
    // Either way invalidations may have been missed meanwhile: start L1 afresh, replay ours.
    const onOutageChange = (up: boolean) => {
      this.local.clear('');
      if (up) void this.replayPending();
    };
    this.bus.onConnectionChange(onOutageChange);
    this.redis.onAvailabilityChange(onOutageChange);
  }

  onApplicationShutdown() {
    clearInterval(this.replayTimer);
  }

  /** True while an invalidation of the namespace made here has not reached Redis. */
  isPending(namespace: string): boolean {
    return this.pending.has(namespace);
  }

  /**
   * Removes the given ids' keys and every list variant of the namespace from both tiers on every
   * instance. Resolves once Redis has applied it (or the invalidation is queued while Redis is down).
   * `writeTimes`: the operationTimes of the MongoDB write this follows; once applied and broadcast,
   * the invalidation is recorded with them so that the change feed skips that write's events.
   */
  async invalidate(namespace: string, ids: readonly string[] = [], writeTimes: readonly string[] = []): Promise<void> {
    const idKeys = ids.map((id) => cacheKeys.id(namespace, id));
    const applied = await this.l2.invalidate(namespace, idKeys, this.announcement(namespace, idKeys));
    this.local.drop(namespace, idKeys);
    if (!applied && this.redis.enabled) this.queuePending(namespace, idKeys);
    else if (applied) await this.appliedWrites.record(namespace, ids, writeTimes);
  }

  /**
   * Deletes one key from both tiers everywhere, race-safe like `invalidate`. Queued and retried
   * like an invalidation when Redis cannot take it now. True when Redis held it.
   */
  async delete(key: string): Promise<boolean> {
    const namespace = cacheKeys.namespaceOf(key);
    const removed = await this.l2.delete(key, this.announcement(namespace, [key]));
    this.local.dropKey(namespace, key);
    if (removed === REDIS_UNAVAILABLE && this.redis.enabled) this.queuePending(namespace, [key]);
    return removed !== REDIS_UNAVAILABLE && removed > 0;
  }

  /**
   * Deletes every key under `prefix` (all the deployment's keys when empty) from both tiers
   * everywhere; SCAN-based, for admin use and whole-namespace drops.
   */
  async clear(prefix = ''): Promise<number> {
    return (await this.clearEverywhere(prefix)).removed;
  }

  /** `clear`, also telling whether Redis applied it and every instance was told (false: retry it). */
  async clearEverywhere(prefix = ''): Promise<{ removed: number; applied: boolean }> {
    const removed = await this.l2.clear(prefix);
    const localRemoved = this.local.clear(prefix);
    const published = await this.bus.publish({ kind: 'clear', prefix });
    const applied = !this.redis.enabled || (removed !== REDIS_UNAVAILABLE && published);
    return { removed: removed === REDIS_UNAVAILABLE ? localRemoved : removed, applied };
  }

  private announcement(namespace: string, keys: string[]) {
    return this.bus.announcement({ kind: 'invalidate', namespace, keys });
  }

  /** Retried every 100 ms (as the breaker lets calls through) until applied and published. */
  private queuePending(namespace: string, idKeys: string[]) {
    let keys = this.pending.get(namespace);
    if (!keys) this.pending.set(namespace, (keys = new Set()));
    for (const key of idKeys) keys.add(key);
    if (!this.replayTimer) {
      this.replayTimer = setInterval(() => void this.replayPending(), 100);
      this.replayTimer.unref();
    }
  }

  private async replayPending() {
    if (this.replaying) return;
    this.replaying = true;
    try {
      for (const [namespace, keys] of [...this.pending]) {
        const idKeys = [...keys];
        // Probes: a replay is the first thing to land when Redis answers again.
        if (!(await this.l2.invalidate(namespace, idKeys, this.announcement(namespace, idKeys), { probe: true }))) return;
        // Fills that started before the replay must not store what the outage left behind.
        this.local.drop(namespace, idKeys);
        // Ids queued while this replay ran stay pending for the next round.
        if (this.pending.get(namespace) === keys && keys.size === idKeys.length) this.pending.delete(namespace);
        this.logger.log(`replayed a pending invalidation of ${namespace} (${idKeys.length} ids)`);
      }
    } finally {
      this.replaying = false;
      if (this.pending.size === 0) {
        clearInterval(this.replayTimer);
        this.replayTimer = undefined;
      }
    }
  }
}
