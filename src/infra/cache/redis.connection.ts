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
  private wasReady = false;

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
      if (!this.wasReady) this.logger.log('connected');
      this.wasReady = true;
    });
    this.client.on('error', (error: Error) => {
      if (this.wasReady) this.logger.warn(`unavailable, the cache answers from MongoDB until it returns: ${error.message}`);
      this.wasReady = false;
    });
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
    if (this.client && this.client.status !== 'end') {
      await this.client.quit().catch(() => this.client?.disconnect());
    }
  }

  /** Runs `command` unless Redis is known to be down; any failure yields REDIS_UNAVAILABLE. */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T | Unavailable> {
    const client = this.client;
    if (!client || client.status !== 'ready' || !this.breaker.allow()) return REDIS_UNAVAILABLE;
    try {
      const result = await command(client);
      this.breaker.success();
      return result;
    } catch (error) {
      this.breaker.failure();
      this.logger.debug(`command failed: ${(error as Error).message}`);
      return REDIS_UNAVAILABLE;
    }
  }
}
