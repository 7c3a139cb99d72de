import autocannon from 'autocannon';
import { Collection, ObjectId } from 'mongodb';
import { breakerState, feedState, getGame, report, sleep, summary, Trial, waitFor } from './fault-measure';
import { Hangable, patchGame } from './fault-rows-redis';
import type { AppProcess } from './servers';

const GIVE_UP_MS = 30_000;

export interface ClassicOptions {
  rows: Set<string>;
  ids: string[];
  games: Collection;
  trials: number;
  redis: Hangable;
  start(): Promise<AppProcess>;
  nextValue(): number;
}

/**
 * The first rows of bench:faults (normal, redis_hang, crash_api, crash_raw), on their own pair of
 * instances: A leads the change feed, B reads; crashed instances are replaced before the next trial.
 */
export async function classicRows(options: ClassicOptions): Promise<Record<string, unknown>> {
  const { rows, ids, games, trials, redis } = options;
  const writes = Number(process.env.FAULTS_WRITES ?? 40);
  const hangMs = Number(process.env.FAULTS_HANG_MS ?? 3000);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
  const a = await options.start();
  await waitFor(async () => (await feedState(a.url)) === 'following', 20_000, 'the first instance to lead the change feed');
  const b = await options.start();
  const figures: Record<string, unknown> = { instances: 2, read_connections_per_instance: connections, hang_ms: hangMs };

  /** Warms the reader's L1 with the current value, writes, then polls the reader until it answers the new one. */
  const trial = async (reader: AppProcess, id: string, write: (available: number) => Promise<void>, onAck?: () => void): Promise<Trial> => {
    await waitFor(async () => (await getGame(reader, id)).tier === 'l1', 10_000, `instance's L1 copy of ${id}`);
    const available = options.nextValue();
    await write(available);
    const acked = performance.now();
    onAck?.();
    let staleAnswers = 0;
    while (performance.now() - acked < GIVE_UP_MS) {
      const sent = performance.now();
      const answer = await getGame(reader, id).catch(() => undefined);
      if (answer?.available === available) return { staleMs: sent - acked, staleAnswers };
      if (answer) staleAnswers++;
    }
    return { staleAnswers };
  };
  const patch = (app: AppProcess, id: string) => (available: number) => patchGame(app, id, available);

  if (rows.has('normal')) {
    // 1. Normal operation, under read load on both instances.
    const paths = ids.map((id) => `/games/${id}`);
    const loads = [a, b].map((app) =>
      autocannon(
        {
          url: app.url,
          connections,
          duration: 3600,
          requests: [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }],
        },
        () => undefined,
      ),
    );
    const normal: Trial[] = [];
    for (let i = 0; i < writes; i++) normal.push(await trial(b, ids[i % ids.length], patch(a, ids[i % ids.length])));
    for (const l of loads) l.stop();
    report('normal', normal);
    Object.assign(figures, summary('normal', normal));
  }

  if (rows.has('redis_hang')) {
    // 2. Redis hung during the write.
    const hang: Trial[] = [];
    for (let i = 0; i < trials; i++) {
      const id = ids[(writes + i) % ids.length];
      let resumeTimer: NodeJS.Timeout | undefined;
      hang.push(
        await trial(b, id, async (available) => {
          redis.hang();
          resumeTimer = setTimeout(() => redis.resume(), hangMs);
          await sleep(200); // mid-hang, not at its first instant
          await patch(a, id)(available);
        }),
      );
      await sleep(hangMs);
      clearTimeout(resumeTimer);
      redis.resume();
      for (const app of [a, b]) await waitFor(async () => (await breakerState(app.url)) === 'closed', 20_000, 'the breaker to close');
    }
    report('redis_hang', hang);
    Object.assign(figures, summary('redis_hang', hang));
  }

  if (rows.has('crash')) {
    // 3. The writer killed (-9) right after its write was acknowledged; it led the change feed.
    const running = [a, b];
    const crash = async (raw: boolean, id: string): Promise<Trial> => {
      const states = await Promise.all(running.map((app) => feedState(app.url)));
      const leader = running[states.indexOf('following')] ?? running[0];
      const reader = running.find((app) => app !== leader)!;
      const result = await trial(
        reader,
        id,
        raw ? async (available) => void (await games.updateOne({ _id: new ObjectId(id) }, { $set: { available } })) : patch(leader, id),
        () => process.kill(leader.pid, 'SIGKILL'),
      );
      await leader.stop();
      running.splice(running.indexOf(leader), 1);
      running.push(await options.start());
      return result;
    };
    const crashApi: Trial[] = [];
    const crashRaw: Trial[] = [];
    for (let i = 0; i < trials; i++) {
      crashApi.push(await crash(false, ids[(writes + trials + 2 * i) % ids.length]));
      crashRaw.push(await crash(true, ids[(writes + trials + 2 * i + 1) % ids.length]));
    }
    report('crash_api', crashApi);
    report('crash_raw', crashRaw);
    Object.assign(figures, summary('crash_api', crashApi), summary('crash_raw', crashRaw));
  }
  return figures;
}
