import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { CACHE_SETTINGS, CacheSettings } from './cache.settings';
import { CircuitBreaker } from './circuit-breaker';

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
    this.client = new Redis(settings.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: settings.redisTimeoutMs,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
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

  async onModuleInit() {
    if (!this.client) return;
    // Start even when Redis is down: the app serves from MongoDB meanwhile.
    await this.client.connect().catch((error: Error) => this.logger.warn(`not reachable at start-up: ${error.message}`));
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

  /** Runs `command` unless Redis is known to be down; any failure yields REDIS_UNAVAILABLE. */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T | Unavailable> {
    const client = this.client;
    if (!client || client.status !== 'ready' || !this.breaker.allow()) return REDIS_UNAVAILABLE;
    try {
      const result = await command(client);
      if (this.breaker.success()) this.setAvailable(true);
      return result;
    } catch (error) {
      if (this.breaker.failure()) this.setAvailable(false);
      this.logger.debug(`command failed: ${(error as Error).message}`);
      return REDIS_UNAVAILABLE;
    }
  }
}
