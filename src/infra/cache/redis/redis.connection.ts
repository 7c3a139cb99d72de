import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { CACHE_SETTINGS, CacheSettings } from '../core/cache.settings';
import { CircuitBreaker } from '../core/circuit-breaker';
import { parseRedisUrl, UnusableRedisUrlError } from './redis-url';

export const REDIS_UNAVAILABLE = Symbol('REDIS_UNAVAILABLE');
export type Unavailable = typeof REDIS_UNAVAILABLE;

/**
 * The cache's Redis client. Fails open: while Redis is unreachable or slow, calls return
 * REDIS_UNAVAILABLE at once (no offline queue, a command timeout and a circuit breaker),
 * and the client reconnects by itself.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client?: Redis;
  private readonly breaker = new CircuitBreaker();
  private reportedAvailable = false;
  private shuttingDown = false;
  private readonly availabilityListeners: ((available: boolean) => void)[] = [];

  constructor(@Inject(CACHE_SETTINGS) settings: CacheSettings) {
    if (!settings.redisUrl) return;
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: settings.redisTimeoutMs,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    };
    const target = parseRedisUrl(settings.redisUrl);
    this.client =
      target.kind === 'standalone'
        ? new Redis(target.url, options)
        : new Redis({
            ...options,
            ...target.options,
            sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, 2000),
            // Follows +switch-master at once instead of waiting for the old master's socket to fail.
            failoverDetector: true,
          });
    this.client.on('ready', () => {
      this.breaker.success();
      this.logger.log('connected');
      this.setAvailable(true);
    });
    this.client.on('close', () => this.setAvailable(false));
    this.client.on('error', (error: Error) => this.logger.debug(`error: ${error.message}`));
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  get available(): boolean {
    return this.client?.status === 'ready' && !this.breaker.isOpen;
  }

  state(): 'up' | 'down' | 'disabled' {
    if (!this.client) return 'disabled';
    return this.available ? 'up' : 'down';
  }

  /** Whether the breaker is refusing calls (recent failures), for readiness reports. */
  get breakerOpen(): boolean {
    return this.breaker.isOpen;
  }

  /**
   * A real round trip, bounded by `timeoutMs`, that ignores the breaker: readiness must report
   * what Redis does now, not what the breaker remembers.
   */
  async ping(timeoutMs: number): Promise<'up' | 'down' | 'disabled'> {
    const client = this.client;
    if (!client) return 'disabled';
    if (client.status !== 'ready') return 'down';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([client.ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)))]);
      return 'up';
    } catch {
      return 'down';
    } finally {
      clearTimeout(timer);
    }
  }

  async onModuleInit() {
    if (!this.client) return;
    // Start even when Redis is down: the app serves from MongoDB meanwhile.
    const connected = await this.client.connect().then(
      () => true,
      (error: Error) => this.logger.warn(`not reachable at start-up: ${error.message}`),
    );
    if (connected && (await this.client.info('cluster').catch(() => '')).includes('cluster_enabled:1')) {
      // Every multi-key script would fail with CROSSSLOT and MOVED would read as misses: refuse, loudly.
      throw new UnusableRedisUrlError('REDIS_URL points at a Redis Cluster node, which this version of the cache does not support');
    }
  }

  async onApplicationShutdown() {
    this.availabilityListeners.length = 0;
    this.shuttingDown = true;
    if (this.client && this.client.status !== 'end') {
      await this.client.quit().catch(() => this.client?.disconnect());
    }
  }

  /**
   * Called with false when Redis stops answering (connection lost or breaker opened) and with
   * true when it answers again. Anything cached meanwhile may have missed invalidations.
   */
  onAvailabilityChange(listener: (available: boolean) => void): void {
    this.availabilityListeners.push(listener);
  }

  private setAvailable(available: boolean) {
    if (available === this.reportedAvailable) return;
    this.reportedAvailable = available;
    if (!available && !this.shuttingDown) this.logger.warn('unavailable: the cache answers from MongoDB until Redis returns');
    for (const listener of this.availabilityListeners) listener(available);
  }

  /**
   * Runs `command` unless Redis is known to be down; any failure yields REDIS_UNAVAILABLE.
   * `probe`: go through even while the breaker is open (one caller retrying queued work), so
   * that work lands as soon as Redis answers rather than a cooldown later; its outcome closes
   * or keeps the breaker open like any call.
   */
  async run<T>(command: (redis: Redis) => Promise<T>, options: { probe?: boolean } = {}): Promise<T | Unavailable> {
    const client = this.client;
    if (!client || client.status !== 'ready') return REDIS_UNAVAILABLE;
    if (!options.probe && !this.breaker.allow()) return REDIS_UNAVAILABLE;
    try {
      const result = await command(client);
      const pipelineError = firstPipelineError(result);
      if (pipelineError) throw pipelineError;
      if (this.breaker.success()) this.setAvailable(true);
      return result;
    } catch (error) {
      if (this.breaker.failure()) this.setAvailable(false);
      this.logger.debug(`command failed: ${(error as Error).message}`);
      return REDIS_UNAVAILABLE;
    }
  }
}

/**
 * A pipeline resolves with per-command errors instead of rejecting, timed-out commands included:
 * any of them makes the whole call a failure, for the breaker as for the caller.
 */
function firstPipelineError(result: unknown): Error | undefined {
  if (!Array.isArray(result)) return undefined;
  for (const entry of result) {
    if (Array.isArray(entry) && entry[0] instanceof Error) return entry[0];
  }
  return undefined;
}
