import type { RedisConnection } from '../redis/redis.connection';
import type { Logger } from '@nestjs/common';
import { FeedLease, LeaseAnswer } from './feed-lease';

/** What the feed does when this instance gains or loses its follower lease. */
export interface LeaderEvents {
  gained(): Promise<void>;
  lost(): Promise<void>;
}

/**
 * Holds one of `followers` leases in Redis (slot 0 is `<key>`, slot n `<key>:<n>`), renewing it
 * every third of its lifetime, and tells the feed when it gains or loses it.
 *
 * The lease only keeps the work from being done by every instance: it is lost when Redis answers
 * that another instance holds it, not when Redis does not answer. A follower that cannot reach
 * Redis (Redis hung, or this instance cut off from it) keeps following, so that the changes made
 * meanwhile are not missed: their invalidations wait in the cache's replay queue and land as soon
 * as Redis answers. Meanwhile another instance may take the expired lease: two follow the same
 * streams until this one hears it was taken, which costs duplicate invalidations only.
 */
export class FeedLeader {
  private readonly leases: FeedLease[];
  /** The lease this instance holds, if any. */
  private held?: FeedLease;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;
  /** Redis did not answer the last renewal (logged once per outage). */
  private unanswered = false;
  /** True between `gained` and `lost`. */
  holding = false;

  constructor(
    redis: RedisConnection,
    key: string,
    private readonly settings: { followers: number; leaseMs: number },
    private readonly events: LeaderEvents,
    private readonly logger: Logger,
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

  /** Renews the lease this instance holds (kept while Redis does not answer), or takes the first free one. */
  private async holdALease(): Promise<boolean> {
    if (this.held) {
      const answer = await this.held.hold();
      this.noteAnswer(answer);
      if (answer !== 'taken') return true;
      this.held = undefined;
      return false;
    }
    for (const lease of this.leases) {
      if ((await lease.hold()) === 'held') {
        this.held = lease;
        return true;
      }
    }
    return false;
  }

  private noteAnswer(answer: LeaseAnswer) {
    if (answer === 'unanswered' && !this.unanswered) {
      this.logger.warn('Redis does not answer the lease renewal: following on (invalidations are queued until Redis answers)');
    } else if (answer !== 'unanswered' && this.unanswered) {
      this.logger.log(
        `Redis answers the lease renewal again: ${answer === 'held' ? 'still following' : 'another instance took the lease'}`,
      );
    }
    this.unanswered = answer === 'unanswered';
  }
}
