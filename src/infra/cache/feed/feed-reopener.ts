/** The first attempt after a stream closed; later ones double up to CACHE_FEED_REOPEN_MAX_MS. */
const FIRST_DELAY_MS = 100;

/**
 * When a closed change stream is tried again: after a back-off from 100 ms doubling to `maxMs`, or
 * at once when MongoDB is heard again. Remembers when the stream closed, for the log.
 */
export class FeedReopener {
  private timer?: NodeJS.Timeout;
  private delayMs = FIRST_DELAY_MS;
  /** Consecutive failures since the stream last opened (only the first is logged as a warning). */
  failures = 0;
  private closedAt?: number;

  constructor(private readonly maxMs: number) {}

  /** The wait before the next attempt. */
  get nextDelayMs(): number {
    return this.delayMs;
  }

  /** Notes that the stream closed (an outage keeps the time of its first closure). */
  closed(): void {
    this.closedAt ??= Date.now();
  }

  /** Runs `attempt` after the current back-off, and doubles it for the next time. */
  schedule(attempt: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      attempt();
    }, this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, this.maxMs);
  }

  /** Runs `attempt` now if one is waiting for its back-off; false when none is. */
  now(attempt: () => void): boolean {
    if (this.timer === undefined) return false;
    clearTimeout(this.timer);
    this.timer = undefined;
    attempt();
    return true;
  }

  /** The stream opened: the back-off starts over. Answers how long it had been closed, if it had. */
  opened(): number | undefined {
    this.delayMs = FIRST_DELAY_MS;
    this.failures = 0;
    const closedMs = this.closedAt === undefined ? undefined : Date.now() - this.closedAt;
    this.closedAt = undefined;
    return closedMs;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.closedAt = undefined;
  }
}
