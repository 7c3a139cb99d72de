import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { CACHE_SETTINGS, CacheSettings } from '../core/cache.settings';
import { CircuitBreaker } from '../core/circuit-breaker';
import { parseRedisUrl, UnusableRedisUrlError } from './redis-url';

export const REDIS_UNAVAILABLE = Symbol('REDIS_UNAVAILABLE');
export type Unavailable = typeof REDIS_UNAVAILABLE;

/** One server (standalone or the Sentinel group's master) or a Cluster: the commands they share. */
export type RedisClient = Redis | Cluster;

/** SCAN cursors of a Cluster carry the master's index in their low bits (up to 1024 masters). */
const NODE_BITS = 10n;
/** How long start-up waits for a Cluster to be ready before serving without it. */
const CLUSTER_START_WAIT_MS = 5000;

/**
 * The cache's Redis client. Fails open: while Redis is unreachable or slow, calls return
 * REDIS_UNAVAILABLE at once (no offline queue, a command timeout and a circuit breaker),
 * and the client reconnects by itself.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  readonly client?: RedisClient;
  /** Cluster: keys that must share a slot carry a hash tag (see TwoTierCache.l2Key). */
  readonly isCluster: boolean = false;
  /** Cluster: the nodes to try for pub/sub, seeds first (see subscriberConnection). */
  private readonly clusterSeeds: { host: string; port: number }[] = [];
  private subscriberAttempt = 0;
  private readonly breaker = new CircuitBreaker();
  private reportedAvailable = false;
  private shuttingDown = false;
  private readonly availabilityListeners: ((available: boolean) => void)[] = [];

  constructor(@Inject(CACHE_SETTINGS) settings: CacheSettings) {
    if (!settings.redisUrl) return;
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: settings.redisTimeoutMs,
      // A timed-out command stays in ioredis' queue until its reply comes; on a link that lost the
      // bytes it never does, and the replies of later commands would be matched to the wrong ones.
      socketTimeout: settings.redisSocketTimeoutMs,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
    };
    const target = parseRedisUrl(settings.redisUrl);
    if (target.kind === 'cluster') {
      this.isCluster = true;
      this.clusterSeeds = target.nodes;
      const { lazyConnect, enableOfflineQueue, retryStrategy, ...nodeOptions } = options;
      this.client = new Cluster(target.nodes, {
        lazyConnect,
        enableOfflineQueue,
        clusterRetryStrategy: retryStrategy,
        // MOVED/ASK are followed (up to 16 times, within the command timeout); a failover's
        // CLUSTERDOWN and TRYAGAIN are retried shortly, also within the command timeout.
        retryDelayOnFailover: 50,
        retryDelayOnClusterDown: 50,
        retryDelayOnTryAgain: 50,
        slotsRefreshTimeout: 2000,
        // Replicas are not read: a read must see the write its invalidation follows.
        scaleReads: 'master',
        redisOptions: { ...nodeOptions, username: target.username, password: target.password },
      });
    } else {
      this.client =
        target.kind === 'standalone'
          ? new Redis(target.url, options)
          : new Redis({
              ...options,
              ...target.options,
              sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, 2000),
              // Follows +switch-master at once instead of waiting for the old master's socket to fail.
              failoverDetector: true,
            });
    }
    this.client.on('ready', () => {
      this.breaker.success();
      this.logger.log('connected');
      this.setAvailable(true);
    });
    this.client.on('close', () => this.setAvailable(false));
    // ioredis ends a connection for good in a few races (behind Sentinel, a +switch-master that
    // arrives while it is resolving the master): start again, since only shutdown may end it.
    this.client.on('end', () => {
      if (this.shuttingDown) return;
      this.logger.warn('connection ended by the client library: reconnecting');
      setTimeout(() => {
        if (!this.shuttingDown && this.client?.status === 'end') this.client.connect().catch(() => undefined);
      }, 500).unref();
    });
    this.client.on('error', (error: Error) => this.logger.debug(`error: ${error.message}`));
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  get available(): boolean {
    return this.client?.status === 'ready' && !this.breaker.isOpen;
  }

  state(): 'up' | 'down' | 'disabled' {
    if (!this.client) return 'disabled';
    return this.available ? 'up' : 'down';
  }

  /** Whether the breaker is refusing calls (recent failures), for readiness reports. */
  get breakerOpen(): boolean {
    return this.breaker.isOpen;
  }

  /**
   * A real round trip, bounded by `timeoutMs`, that ignores the breaker: readiness must report
   * what Redis does now, not what the breaker remembers.
   */
  async ping(timeoutMs: number): Promise<'up' | 'down' | 'disabled'> {
    const client = this.client;
    if (!client) return 'disabled';
    if (client.status !== 'ready') return 'down';
    let timer: NodeJS.Timeout | undefined;
    // A Cluster is up when every master answers: with one down, part of the keyspace is not.
    const pings = client instanceof Cluster ? Promise.all(client.nodes('master').map((node) => node.ping())) : client.ping();
    try {
      await Promise.race([pings, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)))]);
      return 'up';
    } catch {
      return 'down';
    } finally {
      clearTimeout(timer);
    }
  }

  async onModuleInit() {
    if (!this.client) return;
    // Start even when Redis is down: the app serves from MongoDB meanwhile.
    const client = this.client;
    const connecting = client.connect().then(
      () => true,
      (error: Error) => this.logger.warn(`not reachable at start-up: ${error.message}`),
    );
    // A Cluster whose first ready check fails (a slow node) reconnects by itself and never
    // settles the first connect(): wait for 'ready' instead, for a bounded time.
    const connected =
      client instanceof Cluster
        ? await Promise.race([connecting, readyWithin(client, CLUSTER_START_WAIT_MS)]).then((ready) => {
            if (!ready)
              this.logger.warn(`Cluster not ready within ${CLUSTER_START_WAIT_MS} ms at start-up: serving from MongoDB until it is`);
            return ready;
          })
        : await connecting;
    if (connected && !this.isCluster && (await this.client.info('cluster').catch(() => '')).includes('cluster_enabled:1')) {
      // Spoken to as one server, a Cluster answers MOVED for most keys and CROSSSLOT for scripts: refuse, loudly.
      throw new UnusableRedisUrlError(
        'REDIS_URL points at a Redis Cluster node through redis://: name the cluster as redis+cluster://host:port,host:port,...',
      );
    }
  }

  async onApplicationShutdown() {
    this.availabilityListeners.length = 0;
    this.shuttingDown = true;
    if (this.client && this.client.status !== 'end') await this.client.quit().catch(() => undefined);
    // quit() leaves the Sentinel failover detector's subscriptions open (ioredis #1362, fixed
    // upstream after 5.11.1): they would keep the process alive. disconnect() closes them.
    this.client?.disconnect();
  }

  /**
   * A connection for pub/sub (the caller subscribes and disconnects it). One server or Sentinel:
   * a duplicate that reconnects by itself. Cluster: a plain connection to one node (a PUBLISH
   * reaches every node) that does not reconnect, so that losing that node shows as an 'end' and
   * the caller asks again; each call tries the next node the cluster map (or the URL) lists.
   */
  subscriberConnection(): { redis: Redis; reconnects: boolean } {
    const client = this.client!;
    const overrides = { enableOfflineQueue: true, lazyConnect: true, commandTimeout: undefined };
    if (!(client instanceof Cluster)) return { redis: client.duplicate(overrides), reconnects: true };
    const known = client.nodes('all').map((node) => ({ host: node.options.host!, port: node.options.port! }));
    const candidates = [...known, ...this.clusterSeeds];
    const { host, port } = candidates[this.subscriberAttempt++ % candidates.length];
    const { username, password, connectTimeout } = client.options.redisOptions ?? {};
    const redis = new Redis({ host, port, username, password, connectTimeout, ...overrides, retryStrategy: () => null });
    return { redis, reconnects: false };
  }

  /**
   * One page of SCAN over every node that holds keys (each master of a Cluster in turn; a
   * Cluster's cursor carries the master's index in its low bits). Runs through `run`.
   */
  scanPage(pattern: string, cursor: string, count: number): Promise<[string, string[]] | Unavailable> {
    return this.run(async (client) => {
      if (!(client instanceof Cluster)) return client.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      const masters = client.nodes('master').sort((x, y) => address(x).localeCompare(address(y)));
      const combined = BigInt(cursor);
      const index = Number(combined & ((1n << NODE_BITS) - 1n));
      if (index >= masters.length) return ['0', []] as [string, string[]];
      const [next, keys] = await masters[index].scan(String(combined >> NODE_BITS), 'MATCH', pattern, 'COUNT', count);
      if (next !== '0') return [String((BigInt(next) << NODE_BITS) | BigInt(index)), keys] as [string, string[]];
      return [index + 1 < masters.length ? String(index + 1) : '0', keys] as [string, string[]];
    });
  }

  /**
   * Called with false when Redis stops answering (connection lost or breaker opened) and with
   * true when it answers again. Anything cached meanwhile may have missed invalidations.
   */
  onAvailabilityChange(listener: (available: boolean) => void): void {
    this.availabilityListeners.push(listener);
  }

  private setAvailable(available: boolean) {
    if (available === this.reportedAvailable) return;
    this.reportedAvailable = available;
    if (!available && !this.shuttingDown) this.logger.warn('unavailable: the cache answers from MongoDB until Redis returns');
    for (const listener of this.availabilityListeners) listener(available);
  }

  /**
   * Runs `command` unless Redis is known to be down; any failure yields REDIS_UNAVAILABLE.
   * `probe`: go through even while the breaker is open (one caller retrying queued work), so
   * that work lands as soon as Redis answers rather than a cooldown later; its outcome closes
   * or keeps the breaker open like any call.
   */
  async run<T>(command: (redis: RedisClient) => Promise<T>, options: { probe?: boolean } = {}): Promise<T | Unavailable> {
    const client = this.client;
    if (!client || client.status !== 'ready') return REDIS_UNAVAILABLE;
    if (!options.probe && !this.breaker.allow()) return REDIS_UNAVAILABLE;
    try {
      const result = await command(client);
      const pipelineError = firstPipelineError(result);
      if (pipelineError) throw pipelineError;
      if (this.breaker.success()) this.setAvailable(true);
      return result;
    } catch (error) {
      if (this.breaker.failure()) this.setAvailable(false);
      this.logger.debug(`command failed: ${(error as Error).message}`);
      return REDIS_UNAVAILABLE;
    }
  }
}

function readyWithin(client: Cluster, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}

function address(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

/**
 * A pipeline resolves with per-command errors instead of rejecting, timed-out commands included:
 * any of them makes the whole call a failure, for the breaker as for the caller.
 */
function firstPipelineError(result: unknown): Error | undefined {
  if (!Array.isArray(result)) return undefined;
  for (const entry of result) {
    if (Array.isArray(entry) && entry[0] instanceof Error) return entry[0];
  }
  return undefined;
}
