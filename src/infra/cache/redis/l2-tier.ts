import { Inject, Injectable } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import { baseNamespace, cacheKeys } from '../core/cache-keys';
import { CACHE_SETTINGS, CacheSettings } from '../core/cache.settings';
import { CacheStats } from '../core/cache-stats';
import type { L2Codec } from '../core/l2-codec';
import { ValueMark } from '../core/value-mark';
import { REDIS_UNAVAILABLE, RedisConnection, type Unavailable } from './redis.connection';
import { RedisKeys } from './redis-keys';
import { withCacheScripts } from './redis-scripts';

/** What one read of an entry found: the body (null on a miss), its time left and the namespace generation. */
export interface L2Read {
  body: Buffer | null;
  /** PTTL: ms left, -1 without expiry, -2 gone. */
  pttl: number;
  /** The namespace's generation at the time of the read ('0' before any write): a miss stores against it. */
  generation: string;
}

/** A bus message to publish in the same round trip as the change it announces (see CacheBus.announcement). */
export interface Announcement {
  channel: string;
  payload: string;
}

type ScriptedPipeline = ChainableCommander & { storeIfCurrent(...args: (string | number | Buffer)[]): ScriptedPipeline };

export interface L2Entry {
  key: string;
  body: Buffer;
  ttlMs: number;
  /** List keys are indexed, so that any write to the namespace removes them. */
  isList: boolean;
}

/**
 * The Redis tier: every command the cache sends about entries, in one place. Reads and stores
 * speak logical keys; names in Redis come from RedisKeys. Calls go through RedisConnection.run
 * (timeout, breaker) and answer REDIS_UNAVAILABLE when Redis cannot.
 */
@Injectable()
export class L2Tier {
  readonly keys: RedisKeys;
  private readonly mark: ValueMark;
  /** Stored forms, by base namespace (see useCodec). */
  private readonly codecs = new Map<string, L2Codec>();

  constructor(
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    private readonly redis: RedisConnection,
    private readonly stats: CacheStats,
  ) {
    this.keys = new RedisKeys(settings.keyPrefix, redis.isCluster);
    this.mark = new ValueMark(settings.deployment);
  }

  /** The body of a value this deployment stored; another app's value (or format) counts as a miss. */
  private ours(namespace: string, value: Buffer | null): Buffer | null {
    if (!value) return null;
    const body = this.mark.unwrap(value);
    if (body) return this.codecs.get(baseNamespace(namespace))?.decode(body) ?? body;
    this.stats.foreign(namespace);
    return null;
  }

  /** The value to store for `body`: the codec's form when the namespace has one (and it takes the body), marked. */
  private stored(namespace: string, body: Buffer): Buffer {
    return this.mark.wrap(this.codecs.get(baseNamespace(namespace))?.encode(body) ?? body);
  }

  /**
   * Keeps the values of `base` (a base namespace, its scoped namespaces too) in Redis in the codec's
   * form, e.g. a compact form of a known JSON shape; bodies the codec does not take stay as they are.
   */
  useCodec(base: string, codec: L2Codec): void {
    this.codecs.set(base, codec);
  }

  /** What the admin API shows of a stored value: its body when it is this deployment's, else the raw text. */
  shown(key: string, value: Buffer): string {
    return (this.ours(cacheKeys.namespaceOf(key), value) ?? value).toString();
  }

  /** One page of SCAN over the deployment's cache keys under `prefix` (logical names). */
  async scanKeys(prefix: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string } | Unavailable> {
    const page = await this.redis.scanPage(this.keys.pattern(prefix), cursor, count);
    if (page === REDIS_UNAVAILABLE) return page;
    return { keys: page[1].map((name) => this.keys.logical(name)).filter((k): k is string => k !== undefined), cursor: page[0] };
  }

  get enabled(): boolean {
    return this.redis.enabled;
  }

  /** One command (a script): the value, its PTTL and the namespace generation, hit or miss. */
  async read(namespace: string, key: string): Promise<L2Read | Unavailable> {
    const reply = await this.redis.run((redis) =>
      withCacheScripts(redis).readEntryBuffer(this.keys.of(key), this.keys.generation(namespace)),
    );
    if (reply === REDIS_UNAVAILABLE) return REDIS_UNAVAILABLE;
    const [value, pttl, generation] = reply;
    return { body: this.ours(namespace, value), pttl, generation: generation.toString() };
  }

  /** Bodies and PTTLs of keys of one namespace (one slot on a Cluster), in one round trip. */
  async readMany(keys: string[]): Promise<{ body: Buffer | null; pttl: number }[] | Unavailable> {
    const values = await this.redis.run((redis) => {
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.getBuffer(this.keys.of(key)).pttl(this.keys.of(key));
      return pipeline.exec();
    });
    if (values === REDIS_UNAVAILABLE || !values) return REDIS_UNAVAILABLE;
    return keys.map((key, i) => ({
      body: this.ours(cacheKeys.namespaceOf(key), values[i * 2][1] as Buffer | null),
      pttl: values[i * 2 + 1][1] as number,
    }));
  }

  /** The namespace's current generation, read before querying the source for a store. */
  async generation(namespace: string): Promise<string | Unavailable> {
    const value = await this.redis.run((redis) => redis.get(this.keys.generation(namespace)));
    return value === REDIS_UNAVAILABLE ? value : (value ?? '0');
  }

  /**
   * Stores entries of one namespace if its generation is still `generation` (the race guard, in
   * Lua); one command, or one pipelined round trip for many. Returns how many were stored.
   */
  async store(namespace: string, entries: L2Entry[], generation: string): Promise<number | Unavailable> {
    const args = (e: L2Entry) =>
      [
        this.keys.of(e.key),
        this.keys.generation(namespace),
        this.keys.listIndex(namespace),
        generation,
        this.stored(namespace, e.body),
        e.ttlMs,
        this.settings.listVariantsMax,
        e.isList ? '1' : '0',
      ] as const;
    if (entries.length === 1) {
      return this.redis.run((redis) => withCacheScripts(redis).storeIfCurrent(...args(entries[0])));
    }
    const result = await this.redis.run((client) => {
      const pipeline = withCacheScripts(client).pipeline() as ScriptedPipeline;
      for (const e of entries) pipeline.storeIfCurrent(...args(e));
      return pipeline.exec();
    });
    if (result === REDIS_UNAVAILABLE || !result) return REDIS_UNAVAILABLE;
    return result.filter(([error, stored]) => !error && stored === 1).length;
  }

  /**
   * Bumps the namespace generation and deletes its list variants and the given id keys,
   * atomically, and publishes `announce` from the same script (see INVALIDATE): subscribers hear
   * of it right after it applied, even when the reply reaches us too late to count.
   */
  async invalidate(namespace: string, idKeys: string[], announce: Announcement, options: { probe?: boolean } = {}): Promise<boolean> {
    const keys = [this.keys.generation(namespace), this.keys.listIndex(namespace), ...idKeys.map((k) => this.keys.of(k))];
    const result = await this.redis.run(
      (redis) => withCacheScripts(redis).invalidateNamespace(keys.length, ...keys, announce.channel, announce.payload),
      options,
    );
    return result !== REDIS_UNAVAILABLE;
  }

  /** Deletes one key and bumps its namespace's generation, announcing it as `invalidate` does; how many keys were deleted (0 or 1). */
  async delete(key: string, announce: Announcement): Promise<number | Unavailable> {
    const generation = this.keys.generation(cacheKeys.namespaceOf(key));
    return this.redis.run((redis) => withCacheScripts(redis).deleteKey(generation, this.keys.of(key), announce.channel, announce.payload));
  }

  /**
   * Deletes every key under `prefix` (all the deployment's keys when empty), SCAN-based (every
   * master of a Cluster); generations move first, so a fill in flight cannot store in between.
   */
  async clear(prefix: string): Promise<number | Unavailable> {
    return this.redis.run(async (redis) => {
      let removed = 0;
      let cursor = '0';
      do {
        const page = await this.redis.scanPage(this.keys.pattern(prefix), cursor, 500);
        if (page === REDIS_UNAVAILABLE) throw new Error('SCAN failed');
        cursor = page[0];
        const byNamespace = groupByNamespace(page[1].map((name) => this.keys.logical(name)).filter((k): k is string => !!k));
        await Promise.all([...byNamespace.keys()].map((ns) => redis.incr(this.keys.generation(ns))));
        // One DEL per namespace: on a Cluster its keys share a slot, so the DEL stays single-slot.
        const counts = await Promise.all(
          [...byNamespace.values()].map((group) => {
            const deletable = group.filter((k) => !k.endsWith(':meta:gen'));
            return deletable.length ? redis.del(...deletable.map((k) => this.keys.of(k))) : 0;
          }),
        );
        removed += counts.reduce((sum, n) => sum + n, 0);
      } while (cursor !== '0');
      return removed;
    });
  }

  /** One instance wins the reload of a key: SET NX with a short expiry (never released early; it lapses). */
  async takeRefreshLock(key: string, ttlMs: number): Promise<boolean> {
    const taken = await this.redis.run((redis) => redis.set(this.keys.refreshLock(key), '1', 'PX', ttlMs, 'NX'));
    return taken === 'OK';
  }
}

/** Keys grouped by namespace (batches that stay within one Cluster slot). */
export function groupByNamespace(keys: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const namespace = cacheKeys.namespaceOf(key);
    const group = groups.get(namespace);
    if (group) group.push(key);
    else groups.set(namespace, [key]);
  }
  return groups;
}
