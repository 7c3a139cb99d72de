import type Redis from 'ioredis';
import { performance } from 'node:perf_hooks';

/** Redis time now (ms), the clock that decides publication. */
export async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

export async function untilRedisTime(redis: Redis, at: number): Promise<void> {
  for (let now = await redisNow(redis); now < at; now = await redisNow(redis)) {
    await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, at - now - 5))));
  }
}

export interface Probe {
  /** Path of a public results route. */
  path: string;
  /** Whether an answer (status, body) shows the edition's results. */
  published: (status: number, body: string) => boolean;
}

export interface TrialResult {
  edition: string;
  answers: number;
  /** Answers with a result, received before the instant (by a Redis TIME read sent after they arrived). */
  seenBefore: number;
  /** "Not published" answers to requests sent after the first answer with a result had arrived. */
  unpublishedAfter: number;
  /** Every instance answered both ways (the trial watched the switch on each). */
  sawBothSides: boolean;
  /** Mean gap between two requests of one reader (ms). */
  pollIntervalMs: number;
}

/**
 * Readers poll every probe on every instance every `pollMs` around an edition's instant while
 * Redis' TIME is read directly, and the answers are judged against it (see the e2e test of the
 * same name): nothing may show before the instant, nothing may say "not published" after the first result.
 */
export async function gateTrial(options: {
  edition: string;
  apps: string[];
  probes: Probe[];
  redis: Redis;
  /** Sets the instant (or returns the one set) and resolves to it, in Redis ms. */
  publish: () => Promise<number>;
  pollMs: number;
  afterMs: number;
}): Promise<TrialResult> {
  const { redis, pollMs } = options;
  const clock: { sentAt: number; redisMs: number }[] = [];
  const answers: { app: number; sentAt: number; receivedAt: number; published: boolean }[] = [];
  let stop = false;
  const instant = await options.publish();
  const reader = (async () => {
    while (!stop) {
      const sentAt = performance.now();
      clock.push({ sentAt, redisMs: await redisNow(redis) });
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const pollers = options.apps.flatMap((app, index) =>
    options.probes.map(async (probe) => {
      while (!stop) {
        const sentAt = performance.now();
        const res = await fetch(`${app}${probe.path}`);
        const body = await res.text();
        answers.push({ app: index, sentAt, receivedAt: performance.now(), published: probe.published(res.status, body) });
        await new Promise((r) => setTimeout(r, Math.max(0, pollMs - (performance.now() - sentAt))));
      }
    }),
  );
  await untilRedisTime(redis, instant + options.afterMs);
  stop = true;
  await Promise.all([reader, ...pollers]);

  let c = 0;
  const readAfter = (receivedAt: number) => {
    while (c < clock.length && clock[c].sentAt < receivedAt) c++;
    return clock[c]?.redisMs;
  };
  const byReceipt = [...answers].sort((x, y) => x.receivedAt - y.receivedAt);
  const seenBefore = byReceipt.filter((x) => x.published && (readAfter(x.receivedAt) ?? Infinity) < instant).length;
  const firstPublished = Math.min(...answers.filter((x) => x.published).map((x) => x.receivedAt));
  const unpublishedAfter = answers.filter((x) => !x.published && x.sentAt > firstPublished).length;
  const sawBothSides = options.apps.every((_, i) => {
    const mine = answers.filter((x) => x.app === i);
    return mine.some((x) => x.published) && mine.some((x) => !x.published);
  });
  const readers = options.apps.length * options.probes.length;
  const span = Math.max(...answers.map((x) => x.sentAt)) - Math.min(...answers.map((x) => x.sentAt));
  return {
    edition: options.edition,
    answers: answers.length,
    seenBefore,
    unpublishedAfter,
    sawBothSides,
    pollIntervalMs: Math.round((span / Math.max(1, answers.length / readers)) * 10) / 10,
  };
}
