import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { CACHE_SETTINGS, CacheSettings } from './cache.settings';
import { RedisConnection } from './redis.connection';

export type BusPayload = { kind: 'invalidate'; namespace: string; keys: string[] } | { kind: 'clear'; prefix: string };
export type BusMessage = BusPayload & { origin: string };

/**
 * Keeps every instance's in-process tier coherent through Redis pub/sub. While the
 * subscription is down, messages can be missed, so the L1 tier is flushed and bypassed
 * (`connected` false) until it is back.
 */
@Injectable()
export class CacheBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CacheBus');
  readonly instanceId = randomUUID();
  private subscriber?: Redis;
  private subscribed = false;
  private readonly listeners: ((message: BusMessage) => void)[] = [];
  private readonly connectionListeners: ((connected: boolean) => void)[] = [];

  constructor(
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    private readonly redis: RedisConnection,
  ) {}

  get connected(): boolean {
    return this.subscribed;
  }

  onMessage(listener: (message: BusMessage) => void): void {
    this.listeners.push(listener);
  }

  /** Called with false when the subscription drops and true when it is back. */
  onConnectionChange(listener: (connected: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  async onModuleInit() {
    if (!this.redis.client) return;
    this.subscriber = this.redis.client.duplicate({ enableOfflineQueue: true, lazyConnect: true, commandTimeout: undefined });
    this.subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    this.subscriber.on('ready', () => {
      this.subscriber!.subscribe(this.settings.channel).then(
        () => this.setConnected(true),
        (error: Error) => this.logger.warn(`subscribe failed: ${error.message}`),
      );
    });
    this.subscriber.on('close', () => this.setConnected(false));
    this.subscriber.on('error', () => undefined); // RedisConnection already reports outages
    await this.subscriber.connect().catch(() => undefined);
  }

  async onApplicationShutdown() {
    this.subscriber?.disconnect();
  }

  async publish(message: BusPayload): Promise<void> {
    const payload = JSON.stringify({ ...message, origin: this.instanceId });
    await this.redis.run((redis) => redis.publish(this.settings.channel, payload));
  }

  private receive(raw: string) {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch {
      return;
    }
    if (message.origin === this.instanceId) return;
    for (const listener of this.listeners) listener(message);
  }

  private setConnected(connected: boolean) {
    if (connected === this.subscribed) return;
    this.subscribed = connected;
    for (const listener of this.connectionListeners) listener(connected);
  }
}
