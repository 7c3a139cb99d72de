import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
  ServiceUnavailableException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { PublicationGate } from '../publication/publication-gate';
import { PublicationStore } from '../publication/publication.store';
import { visibleEditions, visibleEditionsAt } from '../publication/visible-editions';
import { StudentsCacheService } from '../students-cache.service';
import type { L1PreloadState, WarmUpState } from './warm-up-state';
import type { WarmUpResult, WarmUpView } from './warm-up.dto';

/** A run whose owner has not reported for this long is taken as dead (another may start). */
const SILENT_OWNER_MS = 15_000;
const REPORT_EVERY_MS = 500;

const elapsed = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Warm-ups before an instant: every result public from an edition's instant on goes into Redis
 * under the keys of the set of editions visible from then (unreachable before it: see
 * visible-editions.ts), then every instance copies them into its own L1 as far as
 * CACHE_L1_MAX_BYTES allows. Progress lives in Redis beside the schedule, so any instance answers
 * for it and instances started later still preload.
 */
@Injectable()
export class ResultsWarmUpService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ResultsWarmUp');
  private readonly instance = randomUUID();
  private readonly preloaded = new Set<string>();
  private running?: Promise<WarmUpState>;
  private preloading = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly cacheSync: StudentsCacheService,
    private readonly gate: PublicationGate,
    private readonly store: PublicationStore,
    @Inject(ENV) private readonly env: Env,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {}

  /** Instances that serve HTTP copy finished warm-ups into their L1; the command line does not. */
  onApplicationBootstrap() {
    if (!this.store.shared || !this.http?.httpAdapter) return;
    this.timer = setInterval(() => void this.preloadFinished(), 1000);
    this.timer.unref();
  }

  onApplicationShutdown() {
    clearInterval(this.timer);
  }

  /** Starts warming `edition` on this instance and answers at once (poll `status`). */
  async start(edition: string): Promise<WarmUpView> {
    const state = await this.prepare(edition);
    this.running = this.run(state).finally(() => (this.running = undefined));
    this.running.catch(() => undefined);
    return { ...state, l1: [] };
  }

  /** Warms `edition` to the end (the CLI), reporting stored results as they go. */
  async warm(edition: string, onStored?: (stored: number, total: number) => void): Promise<WarmUpState> {
    const state = await this.prepare(edition);
    this.running = this.run(state, onStored).finally(() => (this.running = undefined));
    return this.running;
  }

  async status(edition: string): Promise<WarmUpView> {
    const found = (await this.store.warmUps()).get(edition);
    if (!found) throw new NotFoundException(`no warm-up of ${edition} was started`);
    return { ...found.state, l1: found.l1 };
  }

  /** POST /students/cache/warm: the results public now, into Redis, with the route's TTL. */
  async warmCurrent(): Promise<WarmUpResult> {
    const started = process.hrtime.bigint();
    const result = await this.cacheSync.warmSet(await this.gate.visible(), this.env.CACHE_TTL_SECONDS);
    const seconds = elapsed(started);
    this.logger.log(`warmed ${result.stored}/${result.count} public results in ${seconds.toFixed(2)} s`);
    return { count: result.count, stored: result.stored, seconds: round(seconds), per_second: Math.round(result.stored / seconds) };
  }

  private async prepare(edition: string): Promise<WarmUpState> {
    if (!this.store.shared) throw new ServiceUnavailableException('a warm-up fills Redis: REDIS_URL is not set');
    if (this.running) throw new ConflictException('a warm-up is running on this instance');
    await this.gate.refresh();
    const at = this.gate.schedule.get(edition);
    if (at === undefined)
      throw new ConflictException(`${edition} has no publication instant: set it first (PUT /editions/${edition}/publication)`);
    const previous = (await this.store.warmUps()).get(edition)?.state;
    const now = this.gate.redisNow()!.latest;
    if (previous?.status === 'running' && now - previous.heartbeat_at < SILENT_OWNER_MS) {
      throw new ConflictException(`a warm-up of ${edition} is running (instance ${previous.owner})`);
    }
    // Public already: warm what the public sees now. Before the instant: what it will see from then on.
    const set = visibleEditionsAt(this.gate.schedule, Math.max(at, now));
    const total = await this.cacheSync.count(set);
    const state: WarmUpState = {
      edition,
      run: randomUUID(),
      status: 'running',
      editions: [...set.editions],
      fingerprint: set.fingerprint,
      total,
      stored: 0,
      retried: 0,
      seconds: 0,
      per_second: 0,
      ttl_seconds: Math.max(0, Math.ceil((at - now) / 1000)) + this.env.RESULTS_WARM_TTL_SECONDS,
      started_at: new Date().toISOString(),
      owner: this.instance,
      heartbeat_at: now,
    };
    await this.store.saveWarmUp(state, true);
    return state;
  }

  private async run(state: WarmUpState, onStored?: (stored: number, total: number) => void): Promise<WarmUpState> {
    const started = process.hrtime.bigint();
    const set = visibleEditions(state.editions, this.gate.schedule);
    let lastReport = 0;
    const report = (status: WarmUpState['status'], stored: number) => {
      const seconds = elapsed(started);
      Object.assign(state, { status, stored, seconds: round(seconds), per_second: Math.round(stored / Math.max(seconds, 1e-3)) });
      state.heartbeat_at = this.gate.redisNow()?.earliest ?? state.heartbeat_at;
      return this.store.saveWarmUp(state).catch(() => undefined);
    };
    try {
      const result = await this.cacheSync.warmSet(set, state.ttl_seconds, (stored) => {
        onStored?.(stored, state.total);
        if (Date.now() - lastReport < REPORT_EVERY_MS) return;
        lastReport = Date.now();
        void report('running', stored);
      });
      state.retried = result.retried;
      state.total = Math.max(state.total, result.count);
      state.finished_at = new Date().toISOString();
      await report('done', result.stored);
      this.logger.log(`warmed ${state.edition}: ${result.stored}/${result.count} results in ${state.seconds} s (${state.per_second}/s)`);
      return state;
    } catch (error) {
      state.error = (error as Error).message;
      state.finished_at = new Date().toISOString();
      await report('failed', state.stored);
      this.logger.error(`warm-up of ${state.edition} failed: ${state.error}`);
      throw error;
    }
  }

  /** Copies every finished warm-up of a live set (now or coming) into this instance's L1, once per run. */
  private async preloadFinished(): Promise<void> {
    if (this.preloading) return;
    this.preloading = true;
    try {
      const live = new Map(this.gate.liveSets().map((set) => [set.fingerprint, set]));
      for (const [edition, { state }] of await this.store.warmUps()) {
        const set = live.get(state.fingerprint);
        if (state.status !== 'done' || this.preloaded.has(state.run) || !set) continue;
        this.preloaded.add(state.run);
        const started = process.hrtime.bigint();
        const progress: L1PreloadState = {
          instance: this.instance,
          run: state.run,
          loaded: 0,
          full: false,
          interrupted: false,
          done: false,
          seconds: 0,
        };
        let lastReport = 0;
        const { loaded, full, interrupted } = await this.cacheSync.preloadL1(set, (n) => {
          progress.loaded = n;
          if (Date.now() - lastReport < REPORT_EVERY_MS) return;
          lastReport = Date.now();
          progress.seconds = round(elapsed(started));
          void this.store.saveL1Preload(edition, progress).catch(() => undefined);
        });
        Object.assign(progress, { loaded, full, interrupted, done: true, seconds: round(elapsed(started)) });
        await this.store.saveL1Preload(edition, progress);
        if (interrupted) {
          this.logger.warn(`copy of ${edition}'s warmed results into L1 stopped after ${loaded}: Redis did not answer a page`);
        } else {
          this.logger.log(`copied ${loaded} warmed results of ${edition} into L1 in ${progress.seconds} s${full ? ' (L1 full)' : ''}`);
        }
      }
    } catch (error) {
      this.logger.debug(`L1 preload check failed: ${(error as Error).message}`);
    } finally {
      this.preloading = false;
    }
  }
}
