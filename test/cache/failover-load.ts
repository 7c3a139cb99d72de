import type { TestApp } from '../harness/test-app';
import { eventually } from '../harness/test-app';

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
