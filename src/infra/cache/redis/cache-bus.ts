import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { CACHE_SETTINGS, CacheSettings } from '../core/cache.settings';
import { REDIS_UNAVAILABLE, RedisConnection } from './redis.connection';

export type BusPayload = { kind: 'invalidate'; namespace: string; keys: string[] } | { kind: 'clear'; prefix: string };
export type BusMessage = BusPayload & { origin: string };

/**
 * Keeps every instance's in-process tier coherent through Redis pub/sub. While the
 * subscription is down, messages can be missed, so the L1 tier is flushed and bypassed
 * (`connected` false) until it is back.
 *
 * A hung Redis (or a network that stops delivering) does not close the socket, so the
 * subscription is also proven live by a PING every quarter of the coherence window, judged by
 * round trip: the bus counts as down when no PING *sent* within the last window has been
 * answered. A link that answers late but steadily (slow, not dead) lapses too, since an
 * invalidation takes as long to arrive. This bounds how long an instance can serve L1 copies
 * while it might be missing invalidations.
 */
@Injectable()
export class CacheBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CacheBus');
  readonly instanceId = randomUUID();
  private subscriber?: Redis;
  private subscribed = false;
  /** Subscribed, but no answer to PINGs for longer than the coherence window. */
  private lapsed = false;
  /** When the newest answered PING was sent (or when the subscription was made). */
  private lastAnswerAt = 0;
  private lastBeatAt = 0;
  private reported = false;
  private heartbeat?: NodeJS.Timeout;
  private stopped = false;
  private readonly listeners: ((message: BusMessage) => void)[] = [];
  private readonly connectionListeners: ((connected: boolean) => void)[] = [];

  constructor(
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    private readonly redis: RedisConnection,
  ) {}

  get connected(): boolean {
    return this.subscribed && !this.lapsed;
  }

  private get beatIntervalMs(): number {
    return Math.max(10, Math.floor(this.settings.coherenceWindowMs / 4));
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
    this.heartbeat = setInterval(() => this.beat(), this.beatIntervalMs);
    this.heartbeat.unref();
    await this.connectSubscriber();
  }

  private async connectSubscriber() {
    const { redis: subscriber, reconnects } = this.redis.subscriberConnection();
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, raw: string) => this.receive(raw));
    subscriber.on('ready', () => {
      subscriber.subscribe(this.settings.channel).then(
        () => {
          this.lastAnswerAt = Date.now();
          this.subscribed = true;
          this.lapsed = false;
          this.report();
        },
        (error: Error) => this.logger.warn(`subscribe failed: ${error.message}`),
      );
    });
    subscriber.on('close', () => {
      this.subscribed = false;
      this.report();
    });
    subscriber.on('error', () => undefined); // RedisConnection already reports outages
    // Cluster: this node is gone (or never answered), subscribe through another one. Otherwise
    // ioredis gave up in one of its races (see RedisConnection): subscribe afresh.
    subscriber.on('end', () => {
      if (this.stopped || this.subscriber !== subscriber) return;
      setTimeout(() => void this.connectSubscriber(), reconnects ? 500 : 100).unref();
    });
    await subscriber.connect().catch(() => undefined);
  }

  async onApplicationShutdown() {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.subscriber?.disconnect();
  }

  /**
   * Judges a lapse only on a tick that came on time: after this process itself stalled (CPU
   * starvation), answers that arrived meanwhile are not read yet, and Redis is not to blame.
   */
  private beat() {
    const now = Date.now();
    const onTime = now - this.lastBeatAt <= 2 * this.beatIntervalMs;
    this.lastBeatAt = now;
    const subscriber = this.subscriber;
    if (!subscriber || !this.subscribed) return;
    if (onTime && !this.lapsed && now - this.lastAnswerAt > this.settings.coherenceWindowMs) {
      this.lapsed = true;
      this.logger.warn('subscription stopped answering: the in-process tier is bypassed until it does');
      this.report();
    }
    if (subscriber.status !== 'ready') return;
    const sentAt = now;
    subscriber.ping().then(
      () => {
        this.lastAnswerAt = Math.max(this.lastAnswerAt, sentAt);
        // Live again only once a round trip fits in the window.
        if (!this.lapsed || Date.now() - sentAt > this.settings.coherenceWindowMs) return;
        this.lapsed = false;
        this.report();
      },
      () => undefined,
    );
  }

  /** False when Redis could not take the message (the caller decides whether to retry). */
  async publish(message: BusPayload, options: { probe?: boolean } = {}): Promise<boolean> {
    const { channel, payload } = this.announcement(message);
    return (await this.redis.run((redis) => redis.publish(channel, payload), options)) !== REDIS_UNAVAILABLE;
  }

  /** The channel and text of a message, for a caller that sends it in its own round trip. */
  announcement(message: BusPayload): { channel: string; payload: string } {
    return { channel: this.settings.channel, payload: JSON.stringify({ ...message, origin: this.instanceId }) };
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

  /** Tells listeners when `connected` changes: each change may have hidden missed messages. */
  private report() {
    if (this.connected === this.reported) return;
    this.reported = this.connected;
    for (const listener of this.connectionListeners) listener(this.reported);
  }
}
