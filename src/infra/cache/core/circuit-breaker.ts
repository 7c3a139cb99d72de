/**
 * Stops every request from waiting on a Redis that times out: after `threshold` consecutive
 * failures calls are refused for `cooldownMs`, then one trial call decides whether to close again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trialInFlight = false;

  constructor(
    private readonly threshold = 3,
    private readonly cooldownMs = 1000,
  ) {}

  get isOpen(): boolean {
    return this.failures >= this.threshold && Date.now() < this.openUntil;
  }

  /** True when a call may go through now. */
  allow(): boolean {
    if (this.failures < this.threshold) return true;
    if (Date.now() < this.openUntil || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Returns true when this success closed an open breaker. */
  success(): boolean {
    const wasOpen = this.failures >= this.threshold;
    this.failures = 0;
    this.trialInFlight = false;
    return wasOpen;
  }

  /** Returns true when this failure opened the breaker. */
  failure(): boolean {
    this.failures++;
    this.trialInFlight = false;
    if (this.failures >= this.threshold) this.openUntil = Date.now() + this.cooldownMs;
    return this.failures === this.threshold;
  }
}
