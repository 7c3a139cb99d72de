import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { PublicationStore, ScheduleReading } from './publication.store';
import { RedisClock } from './redis-clock';
import { upcomingSets, VisibleEditions, visibleEditions } from './visible-editions';

interface Snapshot {
  schedule: ReadonlyMap<string, number>;
  /** Redis time when it was read: no instant can change before `readAt + notice` (see PublicationStore). */
  readAt: number;
}

interface Sync {
  /** Monotonic time it was sent: Redis read its clock after this. */
  sentAt: number;
  result: Promise<ScheduleReading>;
}

/**
 * Decides, per request, which editions the public may see, and makes that one decision on every
 * instance alike. The deciding clock is Redis' (`TIME`), the one clock every instance reads; this
 * host's wall clock is never consulted, so a skewed host cannot open anything early.
 *
 * Each instance re-reads the clock and the schedule every few hundred ms and keeps bounds on Redis
 * time (RedisClock: as wide as the round trip). Far from an instant the bounds decide locally, at
 * no cost. Within a round trip of one, the request waits for a reading SENT AFTER IT ARRIVED and
 * decides on the exact time Redis read. That makes the switch atomic: an edition is shown only
 * once Redis time has reached its instant, and Redis time only moves forward, so any request that
 * starts after some instance answered with a result sees Redis past the instant too, wherever it
 * lands. An edition seen open stays open in this process (instants of open editions cannot move).
 */
@Injectable()
export class PublicationGate implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PublicationGate');
  private readonly clock = new RedisClock();
  private readonly noticeMs: number;
  private readonly syncEveryMs: number;
  private snapshot?: Snapshot;
  private readonly opened = new Set<string>();
  private inFlight?: Sync;
  private timer?: NodeJS.Timeout;
  private failing = false;
  /** The last set answered, and the schedule object and open editions it was computed from. */
  private last?: { schedule: ReadonlyMap<string, number>; ids: string; set: VisibleEditions };

  constructor(
    private readonly store: PublicationStore,
    @Inject(ENV) env: Env,
  ) {
    this.noticeMs = env.RESULTS_PUBLISH_NOTICE_SECONDS * 1000;
    this.syncEveryMs = Math.min(500, Math.floor(this.noticeMs / 4));
  }

  async onModuleInit() {
    this.timer = setInterval(() => void this.sync().catch(() => undefined), this.syncEveryMs);
    this.timer.unref();
    await this.sync().catch(() => undefined);
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  /** The notice an instant needs (ms): instants closer than this cannot be set or moved. */
  get notice(): number {
    return this.noticeMs;
  }

  /** The visible set now when this process can tell without asking Redis; undefined within a round trip of an instant. */
  visibleNow(): VisibleEditions | undefined {
    const snapshot = this.snapshot;
    const bounds = snapshot && this.clock.bounds(performance.now());
    if (!snapshot || !bounds || bounds.latest >= snapshot.readAt + this.noticeMs) return undefined;
    const open: string[] = [];
    for (const [edition, at] of snapshot.schedule) {
      if (this.opened.has(edition) || at <= bounds.earliest) open.push(edition);
      else if (at <= bounds.latest) return undefined;
    }
    return this.setOf(open, snapshot.schedule);
  }

  /** The visible set as of an instant within this call (a Redis round trip when the bounds cannot tell). */
  async visible(): Promise<VisibleEditions> {
    const arrived = performance.now();
    const known = this.visibleNow();
    if (known) return known;
    const { reading, schedule } = await this.syncSentAfter(arrived);
    const source =
      schedule ?? (this.snapshot && reading.redisMs < this.snapshot.readAt + this.noticeMs ? this.snapshot.schedule : undefined);
    if (!source) throw new ServiceUnavailableException('results are unavailable: the publication schedule is being reloaded');
    const open = [...source].filter(([edition, at]) => this.opened.has(edition) || at <= reading.redisMs).map(([edition]) => edition);
    return this.setOf(open, source);
  }

  /**
   * The sets whose cached answers may be served now or later (the one in effect and one per coming
   * instant): what a write must invalidate. Every set of the schedule when the clock is not known yet.
   */
  liveSets(): VisibleEditions[] {
    const schedule = this.snapshot?.schedule ?? new Map<string, number>();
    return upcomingSets(schedule, this.clock.bounds(performance.now())?.earliest);
  }

  /** The schedule as last read (empty before the first reading). */
  get schedule(): ReadonlyMap<string, number> {
    return this.snapshot?.schedule ?? new Map();
  }

  /** Redis time now, as bounds; undefined before the first reading. */
  redisNow() {
    return this.clock.bounds(performance.now());
  }

  /** Reads the clock and the schedule now (after a local change to the schedule). */
  async refresh(): Promise<void> {
    await this.syncSentAfter(performance.now());
  }

  /** Waits for a reading sent at or after `arrived` (one in flight is shared by every request that came before it was sent). */
  private async syncSentAfter(arrived: number): Promise<ScheduleReading> {
    for (;;) {
      const sync = this.inFlight;
      if (sync && sync.sentAt >= arrived) return sync.result;
      if (!sync) return this.sync();
      await sync.result.catch(() => undefined);
    }
  }

  private sync(): Promise<ScheduleReading> {
    if (this.inFlight) return this.inFlight.result;
    const sync: Sync = { sentAt: performance.now(), result: this.store.read() };
    this.inFlight = sync;
    return sync.result.then(
      (result) => {
        this.inFlight = undefined;
        this.apply(result);
        return result;
      },
      (error: Error) => {
        this.inFlight = undefined;
        if (!this.failing) this.logger.warn(`cannot read the publication schedule: ${error.message}`);
        this.failing = true;
        throw error;
      },
    );
  }

  private apply({ reading, schedule }: ScheduleReading): void {
    if (this.failing) this.logger.log('reading the publication schedule again');
    this.failing = false;
    this.clock.observe(reading);
    if (schedule && (!this.snapshot || reading.redisMs >= this.snapshot.readAt)) this.snapshot = { schedule, readAt: reading.redisMs };
  }

  /** Latches the open editions and returns their set (the same object while nothing changes). */
  private setOf(open: string[], schedule: ReadonlyMap<string, number>): VisibleEditions {
    const ids = open.join(',');
    if (this.last && this.last.schedule === schedule && this.last.ids === ids) return this.last.set;
    for (const edition of open) this.opened.add(edition);
    const set = visibleEditions(open, schedule);
    this.last = { schedule, ids, set };
    return set;
  }
}
