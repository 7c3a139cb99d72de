import type { RedisConnection } from '../redis/redis.connection';
import { FeedLease } from './feed-lease';

/** What the feed does when this instance gains or loses its follower lease. */
export interface LeaderEvents {
  gained(): Promise<void>;
  lost(): Promise<void>;
}

/**
 * Holds one of `followers` leases in Redis (slot 0 is `<key>`, slot n `<key>:<n>`), renewing it
 * every third of its lifetime, and tells the feed when it gains or loses it.
 */
export class FeedLeader {
  private readonly leases: FeedLease[];
  /** The lease this instance holds, if any. */
  private held?: FeedLease;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;
  /** True between `gained` and `lost`. */
  holding = false;

  constructor(
    redis: RedisConnection,
    key: string,
    private readonly settings: { followers: number; leaseMs: number },
    private readonly events: LeaderEvents,
  ) {
    this.leases = Array.from(
      { length: settings.followers },
      (_, slot) => new FeedLease(redis, slot === 0 ? key : `${key}:${slot}`, settings.leaseMs),
    );
  }

  /** Takes a lease now if one is free, then keeps renewing or trying. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.settings.leaseMs / 3)));
  }

  /** Stops renewing and trying. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Gives the lease back (a clean shutdown), so another instance takes it without waiting for it to expire. */
  async release(): Promise<void> {
    await this.held?.release();
    this.held = undefined;
  }

  private async tick() {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const held = await this.holdALease();
      if (held && !this.holding) {
        this.holding = true;
        await this.events.gained();
      } else if (!held && this.holding) {
        this.holding = false;
        await this.events.lost();
      }
    } finally {
      this.ticking = false;
    }
  }

  /** Renews the lease this instance holds, or takes the first free one. */
  private async holdALease(): Promise<boolean> {
    if (this.held) {
      if (await this.held.hold()) return true;
      this.held = undefined;
      return false;
    }
    for (const lease of this.leases) {
      if (await lease.hold()) {
        this.held = lease;
        return true;
      }
    }
    return false;
  }
}
