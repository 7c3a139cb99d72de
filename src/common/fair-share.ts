import { RetryLaterException } from './retry-later.exception';

/** A share of some capacity: at most `cap` jobs of `key` at once (0: no cap); `who` names it in the refusal. */
export interface ShareClaim {
  key: string;
  cap: number;
  who: string;
}

/**
 * Caps the jobs one party (an address, an account) has in flight, running or queued, before they
 * enter a shared pool: a few parties can then hold at most their caps of it, and the rest stays
 * for everyone else. A job over any of its caps is refused at once (429 + Retry-After).
 */
export class FairShares {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly what: string) {}

  /** Jobs in flight for `key` now. */
  held(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  async run<T>(claims: ShareClaim[], job: () => Promise<T>): Promise<T> {
    const over = claims.find((claim) => claim.cap > 0 && this.held(claim.key) >= claim.cap);
    if (over) throw new RetryLaterException(429, `too many ${this.what} in progress for ${over.who}; retry in 1 s`, 1);
    for (const { key } of claims) this.inFlight.set(key, this.held(key) + 1);
    try {
      return await job();
    } finally {
      for (const { key } of claims) {
        const left = this.held(key) - 1;
        if (left > 0) this.inFlight.set(key, left);
        else this.inFlight.delete(key);
      }
    }
  }
}
