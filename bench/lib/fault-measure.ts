import type { AppProcess } from './servers';

/** What bench:faults reads from a game: the field its writes change, and the cache tier that answered. */
export interface GameAnswer {
  available: number;
  tier?: string;
}

export async function getGame(app: AppProcess, id: string): Promise<GameAnswer> {
  const res = await fetch(`${app.url}/games/${id}`);
  if (!res.ok) throw new Error(`GET ${res.status}`);
  const body = (await res.json()) as { available: number };
  return { available: body.available, tier: res.headers.get('x-cache-tier') ?? undefined };
}

export async function feedState(url: string): Promise<string | undefined> {
  const res = await fetch(`${url}/health`).catch(() => undefined);
  return res ? ((await res.json()) as { changeFeed?: string }).changeFeed : undefined;
}

export async function breakerState(url: string): Promise<string | undefined> {
  const res = await fetch(`${url}/health/ready`).catch(() => undefined);
  return res ? ((await res.json()) as { breaker?: string }).breaker : undefined;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** One answer of a reader: when it was sent and received, and what it said (undefined: not a 200). */
export interface ReadSample {
  sentAt: number;
  receivedAt: number;
  available?: number;
}

/**
 * Reads one game back to back on each instance (one loop per instance, concurrently) until
 * stopped; every answer is kept with its times, so staleness can be measured from any moment.
 */
export function startReaders(apps: AppProcess[], id: string) {
  const samples: ReadSample[][] = apps.map(() => []);
  let running = true;
  const loops = apps.map(async (app, i) => {
    while (running) {
      const sentAt = performance.now();
      const answer = await getGame(app, id).catch(() => undefined);
      samples[i].push({ sentAt, receivedAt: performance.now(), available: answer?.available });
      if (!answer) await sleep(5); // an error answers at once: do not spin
    }
  });
  return {
    samples,
    async stop(): Promise<ReadSample[][]> {
      running = false;
      await Promise.all(loops);
      return samples;
    },
  };
}

/**
 * Staleness of one instance after `from`: how long after it the instance last answered `old`
 * (to the arrival of that answer; 0 when it never did), and whether its last answer was `fresh`.
 */
export function staleAfter(samples: ReadSample[], from: number, old: number, fresh: number) {
  const after = samples.filter((s) => s.receivedAt > from);
  const lastOld = after.filter((s) => s.available === old).at(-1);
  return {
    staleMs: lastOld ? lastOld.receivedAt - from : 0,
    oldAnswers: after.filter((s) => s.available === old).length,
    endsFresh: after.at(-1)?.available === fresh,
  };
}

/** The worst instance: its staleness, or undefined when some instance did not end on the new value. */
export function worst(samples: ReadSample[][], from: number, old: number, fresh: number, label: string): Trial {
  const each = samples.map((s) => staleAfter(s, from, old, fresh));
  const shown = each.map((e) => `${Math.round(e.staleMs)}${e.endsFresh ? '' : ' (not fresh at the end)'}`);
  console.log(`  ${label}: last old answer ${shown.join(' / ')} ms after, per instance`);
  return {
    staleMs: each.every((e) => e.endsFresh) ? Math.max(...each.map((e) => e.staleMs)) : undefined,
    staleAnswers: Math.max(...each.map((e) => e.oldAnswers)),
  };
}

export interface Trial {
  /**
   * Milliseconds the row measures (for the classic rows: acknowledged write → the sending of the
   * first read that answered the new value); undefined: not within the row's give-up time.
   */
  staleMs?: number;
  /** Old answers given after the acknowledgement. */
  staleAnswers: number;
}

export function quantiles(values: (number | undefined)[]) {
  const ms = values.filter((v): v is number => v !== undefined).sort((x, y) => x - y);
  const q = (p: number) => (ms.length ? Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] * 10) / 10 : null);
  return { n: values.length, missed: values.length - ms.length, p50: q(0.5), p99: q(0.99), max: q(1) };
}

/** The row's figures for the final JSON line. */
export function summary(name: string, trials: Trial[]) {
  const { n, missed, p50, p99, max } = quantiles(trials.map((t) => t.staleMs));
  return {
    [`${name}_n`]: n,
    [`${name}_p50_ms`]: p50,
    [`${name}_p99_ms`]: p99,
    [`${name}_max_ms`]: max,
    [`${name}_not_within_30s`]: missed,
    [`${name}_stale_answers_max`]: Math.max(0, ...trials.map((t) => t.staleAnswers)),
  };
}

/** One progress line per row. */
export function report(name: string, trials: Trial[]) {
  const q = quantiles(trials.map((t) => t.staleMs));
  console.log(
    `${name.padEnd(24)} n=${q.n} p50 ${q.p50} ms  p99 ${q.p99} ms  max ${q.max} ms  missed ${q.missed}  ` +
      `each: ${trials.map((t) => (t.staleMs === undefined ? 'x' : Math.round(t.staleMs))).join(' ')}`,
  );
}
