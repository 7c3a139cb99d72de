import { MongoClient, ObjectId } from 'mongodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningServer, startMongoStandin } from '../../src/infra/embedded/mongo-standin';
import { quantiles, sleep, startReaders, Trial, worst } from './fault-measure';
import { RowContext, warmEverywhere } from './fault-rows-redis';

/**
 * The MongoDB the mongo rows may kill, hang and restart: a stand-in of their own (oplog on, kept in
 * an H2 file so a restart on the same port finds the data again), never the bench's shared one.
 */
export class RestartableMongo {
  private server?: RunningServer;
  private paused = false;
  private readonly dir = mkdtempSync(join(tmpdir(), 'cachebook-faults-mongo-'));
  port = 0;

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    this.server = await startMongoStandin({ port: this.port, oplog: true, maxHeap: '512m', h2File: join(this.dir, 'data.h2') });
    this.port = Number(new URL(this.server.uri).port);
  }

  kill(): void {
    if (this.server) process.kill(this.server.pid, 'SIGKILL');
    this.server = undefined;
  }

  hang(): void {
    if (this.server) process.kill(this.server.pid, 'SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (this.paused && this.server) process.kill(this.server.pid, 'SIGCONT');
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.resume();
    await this.server?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls until MongoDB at `uri` answers a ping (each attempt bounded); returns a connected client. */
async function whenAnswering(uri: string, timeoutMs: number): Promise<MongoClient> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 250, connectTimeoutMS: 250 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      if (performance.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

/**
 * Issue #24 item 3: MongoDB killed (-9) for `downMs` and restarted on the same port; as soon as it
 * answers, a write made straight in MongoDB. Measured: from the write's acknowledgement to the last
 * old answer on any instance (`fromAnswerMs`: from MongoDB answering, to the same answer).
 */
export async function mongoRestartRow(
  ctx: RowContext,
  mongo: RestartableMongo,
  database: string,
  downMs: number,
): Promise<{ trials: Trial[]; fromAnswerMs: number[] }> {
  const trials: Trial[] = [];
  const fromAnswerMs: number[] = [];
  for (let i = 0; i < ctx.trials; i++) {
    const id = ctx.nextId();
    const old = await warmEverywhere(ctx.apps, id);
    const fresh = ctx.nextValue();
    const readers = startReaders(ctx.apps, id);
    mongo.kill();
    await sleep(downMs);
    await mongo.start();
    const client = await whenAnswering(mongo.uri, 30_000);
    const answeredAt = performance.now();
    await client
      .db(database)
      .collection('games')
      .updateOne({ _id: new ObjectId(id) }, { $set: { available: fresh } });
    const acknowledgedAt = performance.now();
    await client.close();
    // Until every instance has answered the new value for a second (or 30 s passed).
    const giveUpAt = acknowledgedAt + 30_000;
    const freshFor = (ms: number) =>
      readers.samples.every((s) => {
        const recent = s.filter((sample) => sample.receivedAt > performance.now() - ms);
        return recent.length > 0 && recent.every((sample) => sample.available === fresh);
      });
    while (!freshFor(1000) && performance.now() < giveUpAt) await sleep(100);
    const trial = worst(await readers.stop(), acknowledgedAt, old, fresh, `restart, trial ${i + 1}, from the write`);
    trials.push(trial);
    const staleMs = trial.staleMs;
    if (staleMs !== undefined) fromAnswerMs.push(staleMs + (acknowledgedAt - answeredAt));
  }
  return { trials, fromAnswerMs };
}

/**
 * Issue #24 item 4: MongoDB hung (SIGSTOP) for `hangMs` while four clients read games this
 * instance never cached (a 503 is not cached, so every read is a miss) and one reads a cached
 * game. Measured: the uncached answers' latency and status, the cached ones', and how long after
 * SIGCONT an uncached read answers 200 again.
 */
export async function mongoHangRow(ctx: RowContext, mongo: RestartableMongo, hangMs: number) {
  const app = ctx.apps[0];
  const cachedId = ctx.nextId();
  await warmEverywhere([app], cachedId);
  const uncachedIds = Array.from({ length: 20 }, () => ctx.nextId());
  const uncached: { ms: number; status: number }[] = [];
  const cached: { ms: number; status: number; hit: boolean }[] = [];
  const timedGet = async (path: string) => {
    const started = performance.now();
    const res = await fetch(`${app.url}${path}`);
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status, hit: res.headers.get('x-cache') === 'HIT' };
  };
  mongo.hang();
  const endsAt = performance.now() + hangMs;
  let next = 0;
  const uncachedLoop = async () => {
    while (performance.now() < endsAt) uncached.push(await timedGet(`/games/${uncachedIds[next++ % uncachedIds.length]}`));
  };
  const cachedLoop = async () => {
    while (performance.now() < endsAt) {
      cached.push(await timedGet(`/games/${cachedId}`));
      await sleep(50);
    }
  };
  await Promise.all([uncachedLoop(), uncachedLoop(), uncachedLoop(), uncachedLoop(), cachedLoop()]);
  mongo.resume();
  const resumedAt = performance.now();
  while ((await timedGet(`/games/${uncachedIds[0]}`)).status !== 200 && performance.now() - resumedAt < 30_000) await sleep(20);
  const recoveredMs = performance.now() - resumedAt;
  const statuses: Record<string, number> = {};
  for (const { status } of uncached) statuses[status] = (statuses[status] ?? 0) + 1;
  const u = quantiles(uncached.map((r) => r.ms));
  const c = quantiles(cached.map((r) => r.ms));
  console.log(
    `mongo_hang               uncached n=${u.n} p50 ${u.p50} ms  p99 ${u.p99} ms  max ${u.max} ms  statuses ${JSON.stringify(statuses)}; ` +
      `cached n=${c.n} p99 ${c.p99} ms, ${cached.filter((r) => !r.hit).length} not HIT; recovered ${Math.round(recoveredMs)} ms after SIGCONT`,
  );
  return {
    mongo_hang_ms: hangMs,
    mongo_hang_uncached_n: u.n,
    mongo_hang_uncached_p50_ms: u.p50,
    mongo_hang_uncached_p99_ms: u.p99,
    mongo_hang_uncached_max_ms: u.max,
    mongo_hang_uncached_statuses: statuses,
    mongo_hang_cached_n: c.n,
    mongo_hang_cached_p99_ms: c.p99,
    mongo_hang_cached_not_hit: cached.filter((r) => !r.hit).length,
    mongo_hang_recovered_ms: Math.round(recoveredMs),
  };
}
