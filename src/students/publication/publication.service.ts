import { ConflictException, Injectable } from '@nestjs/common';
import { PublicationGate } from './publication-gate';
import { PublicationView } from './publication.dto';
import { PublicationStore } from './publication.store';

/** Setting and reading editions' publication instants: the admin API and the CLI. */
@Injectable()
export class PublicationService {
  constructor(
    private readonly store: PublicationStore,
    private readonly gate: PublicationGate,
  ) {}

  /**
   * Schedules `edition` at `at`. Refused (409) when `at` is closer than the notice, or when the
   * edition is public already or about to be (an instant inside the notice no longer moves).
   * `alreadyPublic` skips both checks when `at` has passed on Redis' clock: for seeding data that is
   * public already, never for an embargo (instances learn such an instant only at their next reading).
   */
  async schedule(edition: string, at: Date, options: { alreadyPublic?: boolean } = {}): Promise<PublicationView> {
    const redisNow = this.gate.redisNow()?.earliest ?? Date.now();
    const force = options.alreadyPublic === true && at.getTime() <= redisNow;
    const outcome = await this.store.schedule(edition, at, this.gate.notice, force);
    if (!outcome.ok) {
      const earliest = new Date(outcome.redisNow + this.gate.notice).toISOString();
      throw new ConflictException(
        outcome.reason === 'too-soon'
          ? `publish_at must be at least ${this.gate.notice / 1000} s ahead (Redis time): ${earliest} or later`
          : `${edition} is published already, or will be within ${this.gate.notice / 1000} s: its instant cannot move`,
      );
    }
    await this.gate.refresh().catch(() => undefined);
    return this.view(edition, at.getTime(), outcome.redisNow);
  }

  /** The edition's instant as MongoDB records it. */
  async instantOf(edition: string): Promise<Date | undefined> {
    return (await this.store.list()).find((p) => p.edition === edition)?.publishAt;
  }

  /** Every scheduled edition, as MongoDB records it, with its state by Redis' clock. */
  async list(): Promise<PublicationView[]> {
    const now = this.gate.redisNow();
    return (await this.store.list()).map(({ edition, publishAt }) => this.view(edition, publishAt.getTime(), now?.earliest));
  }

  private view(edition: string, at: number, redisNow: number | undefined): PublicationView {
    const now = redisNow ?? Date.now();
    return {
      edition,
      publish_at: new Date(at).toISOString(),
      published: redisNow !== undefined && at <= redisNow,
      seconds_to_publish: Math.round((at - now) / 100) / 10,
    };
  }
}
