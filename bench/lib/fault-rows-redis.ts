import { Collection, ObjectId } from 'mongodb';
import type { LatencyProxy } from '../../test/harness/latency-proxy';
import { breakerState, getGame, sleep, staleAfter, startReaders, Trial, waitFor, worst } from './fault-measure';
import type { AppProcess } from './servers';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const BENCH_ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
export const BENCH_ADMIN_TOKEN = ADMIN_TOKEN;

/** What the newer rows share: the instances (the first writes through the API), the games, fresh ids and values. */
export interface RowContext {
  apps: AppProcess[];
  games: Collection;
  nextId(): string;
  nextValue(): number;
  trials: number;
}

/** A process the bench can hang (SIGSTOP) and resume, remembering whether it is hung. */
export interface Hangable {
  hang(): void;
  resume(): void;
}

export async function patchGame(app: AppProcess, id: string, available: number): Promise<void> {
  const res = await fetch(`${app.url}/games/${id}`, { method: 'PATCH', headers: BENCH_ADMIN, body: JSON.stringify({ available }) });
  if (!res.ok) throw new Error(`PATCH ${res.status}: ${await res.text()}`);
}

/** Every instance holds `id` in L1, so an old value is there to be served. */
export async function warmEverywhere(apps: AppProcess[], id: string): Promise<number> {
  for (const app of apps) await waitFor(async () => (await getGame(app, id)).tier === 'l1', 20_000, `an L1 copy of ${id}`);
  return (await getGame(apps[0], id)).available;
}

/** Between trials: every breaker closed again (so the next trial starts from normal operation). */
export async function settle(apps: AppProcess[]): Promise<void> {
  for (const app of apps) await waitFor(async () => (await breakerState(app.url)) === 'closed', 30_000, 'the breaker to close');
}

/**
 * Issue #24 item 1: every instance's link to Redis answers `latencyMs` late (commands and the
 * subscription). The latency starts 1.5 s before a PATCH through the first instance and lasts
 * `slowMs` after its acknowledgement; both instances are read throughout. Measured: from the
 * acknowledgement to the arrival of the last old answer on any instance.
 */
export async function slowRedisRow(ctx: RowContext, proxies: LatencyProxy[], latencyMs: number, slowMs: number): Promise<Trial[]> {
  const trials: Trial[] = [];
  for (let i = 0; i < ctx.trials; i++) {
    const id = ctx.nextId();
    const old = await warmEverywhere(ctx.apps, id);
    const fresh = ctx.nextValue();
    const readers = startReaders(ctx.apps, id);
    proxies.forEach((proxy) => proxy.setLatency({ down: latencyMs }));
    await sleep(1500);
    await patchGame(ctx.apps[0], id, fresh);
    const acknowledgedAt = performance.now();
    await sleep(slowMs);
    proxies.forEach((proxy) => proxy.clear());
    await sleep(2000);
    trials.push(worst(await readers.stop(), acknowledgedAt, old, fresh, `${latencyMs} ms, trial ${i + 1}`));
    await settle(ctx.apps);
  }
  return trials;
}

/**
 * Issue #24 item 2: Redis hung (SIGSTOP) for `hangMs`; 2 s in, a write made straight in MongoDB
 * (only the change feed can tell the cache). Measured twice: during the hang, from the write's
 * acknowledgement to the last old answer before SIGCONT; after it, from SIGCONT to the last old
 * answer (the old value must not come back from Redis).
 */
export async function redisHangDirectWriteRow(
  ctx: RowContext,
  redis: Hangable,
  hangMs: number,
): Promise<{ afterResume: Trial[]; duringHang: Trial[]; recovered: boolean }> {
  const afterResume: Trial[] = [];
  const duringHang: Trial[] = [];
  for (let i = 0; i < ctx.trials; i++) {
    const id = ctx.nextId();
    const old = await warmEverywhere(ctx.apps, id);
    const fresh = ctx.nextValue();
    const readers = startReaders(ctx.apps, id);
    redis.hang();
    const hungAt = performance.now();
    await sleep(2000);
    await ctx.games.updateOne({ _id: new ObjectId(id) }, { $set: { available: fresh } });
    const acknowledgedAt = performance.now();
    await sleep(hangMs - (performance.now() - hungAt));
    redis.resume();
    const resumedAt = performance.now();
    await sleep(5000);
    const samples = await readers.stop();
    afterResume.push(worst(samples, resumedAt, old, fresh, `hang, trial ${i + 1}, from SIGCONT`));
    const before = samples.map((s) => s.filter((sample) => sample.receivedAt <= resumedAt));
    const during = before.map((s) => staleAfter(s, acknowledgedAt, old, fresh));
    duringHang.push({ staleMs: Math.max(...during.map((d) => d.staleMs)), staleAnswers: Math.max(...during.map((d) => d.oldAnswers)) });
    // A blackhole that lost bytes can leave an instance off Redis for good (test/cache/faults-redis-blackhole).
    if (
      !(await settle(ctx.apps).then(
        () => true,
        () => false,
      ))
    ) {
      console.log('  the instances were not back on Redis 30 s after the fault ended: stopping this row');
      return { afterResume, duringHang, recovered: false };
    }
  }
  return { afterResume, duringHang, recovered: true };
}
