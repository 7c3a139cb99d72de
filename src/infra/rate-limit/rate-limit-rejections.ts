import { Injectable } from '@nestjs/common';

/** Requests refused with 429, by limit name (`global` or a route's limit); /metrics reads them. */
@Injectable()
export class RateLimitRejections {
  private readonly counts = new Map<string, number>();

  count(limit: string): void {
    this.counts.set(limit, (this.counts.get(limit) ?? 0) + 1);
  }

  entries(): [string, number][] {
    return [...this.counts.entries()];
  }
}
