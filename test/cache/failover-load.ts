import type { TestApp } from '../harness/test-app';
import { adminAuth, eventually } from '../harness/test-app';

/**
 * Continuous reads of cached demo items from several instances, one request at a time per loop,
 * counting statuses: what a failover must not turn into 5xx.
 */
export function readLoad(apps: TestApp[], ids: string[], loopsPerApp = 2) {
  const statuses: number[] = [];
  let reading = true;
  const loop = async (api: TestApp, offset: number) => {
    for (let i = offset; reading; i++) {
      const res = await api.http.get(`/demo/items/${ids[i % ids.length]}`);
      statuses.push(res.status);
    }
  };
  const loops = apps.flatMap((api) => Array.from({ length: loopsPerApp }, (_, n) => loop(api, n)));
  return {
    statuses,
    serverErrors: () => statuses.filter((s) => s >= 500),
    async stop() {
      reading = false;
      await Promise.all(loops);
    },
  };
}

/**
 * Until `api` serves `path` as a HIT again. The key is dropped on every pass (admin delete), so a
 * HIT proves a store and a read through Redis now, not an L1 copy from before.
 */
export async function cachesAgain(api: TestApp, path: string, key: string, adminAuth: Record<string, string>, timeoutMs: number) {
  return eventually(
    async () => {
      await api.http.delete(`/cache/entries/${key}`).set(adminAuth);
      const miss = await api.http.get(path);
      if (miss.status !== 200) return false;
      const hit = await api.http.get(path);
      return hit.headers['x-cache'] === 'HIT';
    },
    timeoutMs,
    250,
  );
}

/** What the failover scenario needs from a topology (a Sentinel group, a Cluster). */
export interface Failover {
  /** The figure's name in the printed report. */
  label: string;
  /** Kills the master that serves the demo namespace; true once a replica has taken over (bounded). */
  killMasterAndWait(): Promise<boolean>;
  /** A client on the topology after the failover, and the demo entry's key in it. */
  client(): Promise<{ exists(key: string): Promise<number>; disconnect(): void }>;
  entryKey(id: string): string;
}

/**
 * The master is killed under continuous reads from two instances: no 5xx ever, both instances
 * cache again through the promoted replica, and a write still reaches Redis and every instance
 * (the bus included). Bounds are generous (a loaded 2-core machine); the times are printed.
 */
export async function expectFailoverUnderLoad([a, b]: [TestApp, TestApp], ids: string[], failover: Failover) {
  const path = `/demo/items/${ids[0]}`;
  await a.http.get(path).expect(200);
  expect((await a.http.get(path).expect(200)).headers['x-cache']).toBe('HIT');
  const load = readLoad([a, b], ids);
  await eventually(() => load.statuses.length > 30, 10_000, 20);

  const started = Date.now();
  expect(await failover.killMasterAndWait()).toBe(true);
  const promotedAfterMs = Date.now() - started;
  for (const api of [a, b]) expect(await cachesAgain(api, path, `demo:id:${ids[0]}`, adminAuth, 90_000)).toBe(true);
  const cachingAfterMs = Date.now() - started;
  await load.stop();

  const redis = await failover.client();
  try {
    expect(await redis.exists(failover.entryKey(ids[0]))).toBe(1);
    await a.http.patch(path).set(adminAuth).send({ name: 'after the failover' }).expect(200);
    expect(await redis.exists(failover.entryKey(ids[0]))).toBe(0);
    expect(await eventually(async () => (await b.http.get(path)).body.name === 'after the failover', 10_000, 50)).toBe(true);
  } finally {
    redis.disconnect();
  }

  const fiveHundreds = load.serverErrors().length;
  console.log(JSON.stringify({ [failover.label]: { reads: load.statuses.length, fiveHundreds, promotedAfterMs, cachingAfterMs } }));
  expect(load.serverErrors()).toEqual([]);
  expect(load.statuses.length).toBeGreaterThan(30);
}
