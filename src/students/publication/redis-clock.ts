/**
 * What this process knows of the deciding clock (the Redis server's `TIME`), as bounds rather than
 * a guess. A reading sent at `sentAt` and answered at `receivedAt` (this process's monotonic clock,
 * `performance.now()`) says Redis read `redisMs` at some instant between the two: so later, at
 * monotonic `m`, Redis time lies between `redisMs + (m - receivedAt)` and `redisMs + (m - sentAt)`,
 * widened by how far two clocks may run apart. The width is the round trip, whatever its split
 * between the two directions: an asymmetric path cannot make the bounds lie, only wider.
 * The host's wall clock (`Date.now()`) is never read, so a skewed host clock changes nothing.
 */
export interface ClockReading {
  redisMs: number;
  sentAt: number;
  receivedAt: number;
}

/** Most the two clocks' rates may differ (NTP slews at most 500 ppm each). */
export const DRIFT_RATE = 1e-3;
/** Added on both sides: the monotonic clock's coarsening and TIME's rounding to ms. */
const MARGIN_MS = 1;
/** Readings kept: the tightest bounds usually come from the fastest recent round trip. */
const KEPT_READINGS = 8;

export interface ClockBounds {
  /** Redis time is at least this now (ms since the epoch). */
  earliest: number;
  /** Redis time is at most this now. */
  latest: number;
}

export class RedisClock {
  private readings: ClockReading[] = [];

  /** Adds a reading; if it contradicts the ones kept (the Redis clock stepped, or another server answers), they go. */
  observe(reading: ClockReading): void {
    const now = reading.receivedAt;
    const own = boundsOf(reading, now);
    const kept = this.bounds(now);
    if (kept && (own.earliest > kept.latest || own.latest < kept.earliest)) this.readings = [];
    this.readings.push(reading);
    if (this.readings.length > KEPT_READINGS) this.readings.shift();
  }

  /** Bounds on Redis time at monotonic `now`; undefined before the first reading. */
  bounds(now: number): ClockBounds | undefined {
    if (this.readings.length === 0) return undefined;
    let earliest = -Infinity;
    let latest = Infinity;
    for (const reading of this.readings) {
      const b = boundsOf(reading, now);
      if (b.earliest > earliest) earliest = b.earliest;
      if (b.latest < latest) latest = b.latest;
    }
    return { earliest, latest };
  }

  forget(): void {
    this.readings = [];
  }
}

function boundsOf({ redisMs, sentAt, receivedAt }: ClockReading, now: number): ClockBounds {
  const sinceAnswer = Math.max(0, now - receivedAt);
  const sinceAsk = Math.max(0, now - sentAt);
  return {
    earliest: redisMs + sinceAnswer * (1 - DRIFT_RATE) - MARGIN_MS,
    latest: redisMs + sinceAsk * (1 + DRIFT_RATE) + MARGIN_MS,
  };
}
