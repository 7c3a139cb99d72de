import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { performance } from 'node:perf_hooks';
import { ENV } from '../../config/config.module';
import { cacheKeyPrefix, type Env } from '../../config/env';
import { REDIS_UNAVAILABLE, RedisConnection } from '../../infra/cache';
import type { L1PreloadState, WarmUpState } from '../warm-up/warm-up-state';
import type { ClockReading } from './redis-clock';
import { Publication } from './publication.schema';

/** One look at Redis: its clock, and the schedule it held at that very moment (undefined: lost, being rebuilt). */
export interface ScheduleReading {
  reading: ClockReading;
  schedule?: Map<string, number>;
}

export type ScheduleOutcome =
  | { ok: true; redisNow: number }
  /** too-soon: the instant is closer than the notice; published: the edition is (about to be) public already. */
  | { ok: false; reason: 'too-soon' | 'published'; redisNow: number; current?: number };

const AT = 'at:';
const LOADED = 'loaded';
const WARM = 'warm:';
const L1 = 'l1:';

/**
 * Sets an edition's instant, judged on Redis' clock in the same step: without `force`, the new
 * instant and the one it replaces must both be at least the notice away. So a copy of the
 * schedule read at Redis time R stays right until R + notice, which is what lets every instance
 * decide locally (see PublicationGate). Refuses (-2) while the copy is missing: it is rebuilt first.
 * KEYS: the schedule hash. ARGV: edition, instant ms, notice ms, '1' to force.
 * Returns {code, now, current}: 1 set, 0 too soon, -1 already published, -2 not loaded.
 */
const SCHEDULE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('HEXISTS', KEYS[1], '${LOADED}') == 0 then return {-2, now, false} end
local field = '${AT}' .. ARGV[1]
local current = redis.call('HGET', KEYS[1], field)
if ARGV[4] ~= '1' then
  local earliest = now + tonumber(ARGV[3])
  if current and tonumber(current) < earliest then return {-1, now, current} end
  if tonumber(ARGV[2]) < earliest then return {0, now, current or false} end
end
redis.call('HSET', KEYS[1], field, ARGV[2])
return {1, now, ARGV[2]}`;

/** Redis' clock and the schedule in one step, on the node that holds the schedule (a Cluster has one clock per node). */
const READ = `return {redis.call('TIME'), redis.call('HGETALL', KEYS[1])}`;

/** Rebuilds the copy from MongoDB unless another instance did meanwhile. KEYS: the hash. ARGV: field, value, ... */
const LOAD = `
if redis.call('HEXISTS', KEYS[1], '${LOADED}') == 1 then return 0 end
redis.call('HSET', KEYS[1], '${LOADED}', '1', unpack(ARGV))
return 1`;

/**
 * Where the publication schedule lives: MongoDB keeps it (`publications`), Redis serves it, in one
 * hash read together with Redis' `TIME` in a single round trip. Without Redis (one instance, no
 * shared cache) the schedule comes from MongoDB and the clock is this host's.
 */
@Injectable()
export class PublicationStore {
  private readonly logger = new Logger('Publication');
  private readonly key: string;
  private rebuilding?: Promise<void>;

  constructor(
    private readonly redis: RedisConnection,
    @InjectModel(Publication.name) private readonly publications: Model<Publication>,
    @Inject(ENV) env: Env,
  ) {
    const name = `${cacheKeyPrefix(env)}results:publication`;
    this.key = this.redis.isCluster ? `{${name}}` : name;
  }

  get shared(): boolean {
    return this.redis.enabled;
  }

  /** The deciding clock and the schedule, read in one round trip; throws when Redis cannot answer. */
  async read(): Promise<ScheduleReading> {
    if (!this.redis.enabled) {
      const schedule = await this.durableSchedule();
      const receivedAt = performance.now();
      return { reading: { redisMs: Date.now(), sentAt: receivedAt, receivedAt }, schedule };
    }
    const sentAt = performance.now();
    const reply = await this.redis.run((client) => client.eval(READ, 1, this.key) as Promise<[[string, string], string[]]>);
    const receivedAt = performance.now();
    if (reply === REDIS_UNAVAILABLE) throw new ServiceUnavailableException('results are unavailable: Redis does not answer');
    const [[seconds, micros], flat] = reply;
    const reading = { redisMs: Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), sentAt, receivedAt };
    const schedule = new Map<string, number>();
    let loaded = false;
    for (let i = 0; i < flat.length; i += 2) {
      if (flat[i] === LOADED) loaded = true;
      else if (flat[i].startsWith(AT)) schedule.set(flat[i].slice(AT.length), Number(flat[i + 1]));
    }
    if (!loaded) {
      void this.rebuild();
      return { reading };
    }
    return { reading, schedule };
  }

  /** Sets `edition`'s instant in Redis (the check and the write in one step), then in MongoDB. */
  async schedule(edition: string, at: Date, noticeMs: number, force = false): Promise<ScheduleOutcome> {
    if (!this.redis.enabled) return this.scheduleWithoutRedis(edition, at, noticeMs, force);
    let outcome = await this.runSchedule(edition, at, noticeMs, force);
    if (outcome === 'not-loaded') {
      await this.rebuild();
      outcome = await this.runSchedule(edition, at, noticeMs, force);
      if (outcome === 'not-loaded') throw new ServiceUnavailableException('the publication schedule is being rebuilt; try again');
    }
    if (outcome.ok) await this.saveDurably(edition, at);
    return outcome;
  }

  /** Warm-ups as last reported, by edition, with each instance's L1 preload of them. */
  async warmUps(): Promise<Map<string, { state: WarmUpState; l1: L1PreloadState[] }>> {
    const hash = await this.redis.run((client) => client.hgetall(this.key));
    if (hash === REDIS_UNAVAILABLE) throw new ServiceUnavailableException('Redis does not answer');
    const found = new Map<string, { state: WarmUpState; l1: L1PreloadState[] }>();
    for (const [field, value] of Object.entries(hash)) {
      if (field.startsWith(WARM)) found.set(field.slice(WARM.length), { state: JSON.parse(value) as WarmUpState, l1: [] });
    }
    for (const [field, value] of Object.entries(hash)) {
      if (!field.startsWith(L1)) continue;
      const l1 = JSON.parse(value) as L1PreloadState;
      const entry = found.get(field.slice(L1.length, field.lastIndexOf(':')));
      if (entry && l1.run === entry.state.run) entry.l1.push(l1);
    }
    return found;
  }

  /** Records a warm-up's progress; a new run of an edition also forgets the instances' preloads of the last one. */
  async saveWarmUp(state: WarmUpState, fresh = false): Promise<void> {
    await this.redis.run(async (client) => {
      if (fresh) {
        const stale = (await client.hkeys(this.key)).filter((f) => f.startsWith(`${L1}${state.edition}:`));
        if (stale.length) await client.hdel(this.key, ...stale);
      }
      await client.hset(this.key, `${WARM}${state.edition}`, JSON.stringify(state));
    });
  }

  async saveL1Preload(edition: string, state: L1PreloadState): Promise<void> {
    await this.redis.run((client) => client.hset(this.key, `${L1}${edition}:${state.instance}`, JSON.stringify(state)));
  }

  /** Every scheduled edition and its instant, from MongoDB. */
  async list(): Promise<{ edition: string; publishAt: Date }[]> {
    const docs = await this.publications.find().sort({ publish_at: 1, _id: 1 }).lean<Publication[]>().exec();
    return docs.map((d) => ({ edition: d._id, publishAt: d.publish_at }));
  }

  private async runSchedule(edition: string, at: Date, noticeMs: number, force: boolean): Promise<ScheduleOutcome | 'not-loaded'> {
    const reply = await this.redis.run(
      (client) =>
        client.eval(SCHEDULE, 1, this.key, edition, at.getTime(), noticeMs, force ? '1' : '0') as Promise<[number, number, string | null]>,
    );
    if (reply === REDIS_UNAVAILABLE) throw new ServiceUnavailableException('Redis does not answer: the schedule was not changed');
    const [code, redisNow, current] = reply;
    if (code === -2) return 'not-loaded';
    if (code === 1) return { ok: true, redisNow };
    return { ok: false, reason: code === 0 ? 'too-soon' : 'published', redisNow, current: current === null ? undefined : Number(current) };
  }

  private async scheduleWithoutRedis(edition: string, at: Date, noticeMs: number, force: boolean): Promise<ScheduleOutcome> {
    const now = Date.now();
    const current = (await this.publications.findById(edition).lean<Publication>().exec())?.publish_at.getTime();
    if (!force && current !== undefined && current < now + noticeMs) return { ok: false, reason: 'published', redisNow: now, current };
    if (!force && at.getTime() < now + noticeMs) return { ok: false, reason: 'too-soon', redisNow: now, current };
    await this.saveDurably(edition, at);
    return { ok: true, redisNow: now };
  }

  /** MongoDB after Redis: Redis decided; a failure here is retried, then reported (Redis keeps serving the new instant). */
  private async saveDurably(edition: string, at: Date): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.publications.updateOne({ _id: edition }, { $set: { publish_at: at, updated_at: new Date() } }, { upsert: true }).exec();
        return;
      } catch (error) {
        if (attempt === 3) {
          this.logger.error(`${edition}: instant set in Redis but not saved in MongoDB: ${(error as Error).message}`);
          throw new ServiceUnavailableException('the instant is in effect but could not be saved in MongoDB; set it again');
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private async durableSchedule(): Promise<Map<string, number>> {
    return new Map((await this.list()).map(({ edition, publishAt }) => [edition, publishAt.getTime()]));
  }

  /** Redis lost the schedule (a restart, a flush): copy it back from MongoDB, once per process at a time. */
  private rebuild(): Promise<void> {
    this.rebuilding ??= (async () => {
      try {
        const fields = [...(await this.durableSchedule())].flatMap(([edition, at]) => [`${AT}${edition}`, String(at)]);
        const loaded = await this.redis.run((client) => client.eval(LOAD, 1, this.key, ...fields) as Promise<number>);
        // Missing with editions in MongoDB: Redis restarted or was flushed. Empty: a first start.
        if (loaded === 1 && fields.length > 0) {
          this.logger.warn(`the publication schedule was missing in Redis: rebuilt from MongoDB (${fields.length / 2} editions)`);
        }
      } catch (error) {
        this.logger.warn(`could not rebuild the publication schedule: ${(error as Error).message}`);
      } finally {
        this.rebuilding = undefined;
      }
    })();
    return this.rebuilding;
  }
}
