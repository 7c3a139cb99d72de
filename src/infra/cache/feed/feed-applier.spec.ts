import type { Logger } from '@nestjs/common';
import type { mongo } from 'mongoose';
import { FeedApplier } from './feed-applier';
import type { FeedInvalidations } from './feed-invalidations';

/** Records what the applier asked of the cache, in order. */
function fakeCache() {
  const calls: string[] = [];
  const cache: FeedInvalidations = {
    invalidate: async (namespace, ids) => void calls.push(`invalidate ${namespace} [${ids.join(',')}]`),
    clear: async (prefix) => {
      calls.push(`clear ${prefix}`);
      return true;
    },
    ownWrites: async (checks) => checks.map(() => false),
  };
  return { cache, calls };
}

const token = (n: number) => ({ _data: String(n) }) as mongo.ResumeToken;
const logger = { log() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

/** An applier over `cache` that records every set of tokens it saves. */
function applierSaving(cache: ReturnType<typeof fakeCache>['cache'], settings: { maxIds?: number; skipApiWrites?: boolean } = {}) {
  const saved: [string, mongo.ResumeToken][][] = [];
  const applier = new FeedApplier(
    cache,
    { save: async (tokens) => void saved.push([...tokens]) },
    { batchMs: 1000, maxIds: settings.maxIds ?? 10, skipApiWrites: settings.skipApiWrites ?? false },
    logger,
  );
  return { applier, saved };
}

describe('FeedApplier', () => {
  it('applies a batch as one invalidation per namespace, then stores the newest token of each collection', async () => {
    const { cache, calls } = fakeCache();
    const { applier, saved } = applierSaving(cache);
    applier.receive('games', [{ namespace: 'games', ids: ['a'] }], token(1));
    applier.receive('games', [{ namespace: 'games', ids: ['b'] }], token(2));
    applier.receive('clients', [{ namespace: 'clients', ids: ['c'] }], token(3), Date.now() - 50);
    expect(applier.backlog).toBe(3);
    await applier.flush();
    expect(calls).toEqual(['invalidate games [a,b]', 'invalidate clients [c]']);
    expect(saved).toEqual([
      [
        ['games', token(2)],
        ['clients', token(3)],
      ],
    ]);
    expect([applier.processed, applier.backlog]).toEqual([3, 0]);
    expect(applier.lags.last).toBeGreaterThanOrEqual(50);
  });

  it('drops a whole namespace with the generation bump before the clear, and stores no token when applying failed', async () => {
    const { cache, calls } = fakeCache();
    const { applier, saved } = applierSaving(cache, { maxIds: 1 });
    applier.receive('games', [{ namespace: 'games', ids: ['a', 'b'] }], token(1));
    await applier.flush();
    expect(calls).toEqual(['invalidate games []', 'clear games:']);
    cache.clear = async () => Promise.reject(new Error('Redis gone'));
    applier.receive('games', [{ prefix: 'games' }], token(2));
    await applier.flush();
    expect(saved).toHaveLength(1);
    expect(applier.processed).toBe(1);
  });

  it('retries a clear Redis did not take, and holds the tokens back until it lands', async () => {
    const { cache, calls } = fakeCache();
    let redisUp = false;
    cache.clear = async (prefix) => {
      calls.push(`clear ${prefix} ${redisUp ? 'applied' : 'failed'}`);
      return redisUp;
    };
    const { applier, saved } = applierSaving(cache);
    applier.receive('students', [{ prefix: 'students.' }], token(1));
    await applier.flush();
    applier.receive('games', [{ namespace: 'games', ids: ['a'] }], token(2));
    await applier.flush();
    expect(saved).toEqual([]);
    redisUp = true;
    const deadline = Date.now() + 2000;
    while (saved.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(calls.filter((c) => c.startsWith('clear'))).toEqual(
      expect.arrayContaining(['clear students. failed', 'clear students. applied']),
    );
    expect(calls.at(-1)).toBe('clear students. applied');
    expect(saved).toEqual([
      [
        ['students', token(1)],
        ['games', token(2)],
      ],
    ]);
  });

  it('skips an event the API recorded invalidating at that very clusterTime, and counts it as handled', async () => {
    const { cache, calls } = fakeCache();
    const recorded = new Set(['games/a@100']);
    cache.ownWrites = async (checks) => checks.map((c) => recorded.has(`${c.namespace}/${c.id}@${c.time}`));
    const { applier, saved } = applierSaving(cache, { skipApiWrites: true });
    applier.receive('games', [{ namespace: 'games', ids: ['a'] }], token(1), undefined, '100'); // the API's write
    applier.receive('games', [{ namespace: 'games', ids: ['a'] }], token(2), undefined, '101'); // an outside write right after
    applier.receive('games', [{ namespace: 'games', ids: ['b'] }], token(3), undefined, '100');
    expect(applier.backlog).toBe(3);
    await applier.flush();
    expect(calls).toEqual(['invalidate games [a,b]']);
    expect([applier.skipped, applier.processed, applier.backlog, saved.length]).toEqual([1, 3, 0, 1]);
  });

  it('flushes on its own after the batch window', async () => {
    const { cache, calls } = fakeCache();
    const applier = new FeedApplier(cache, { save: async () => undefined }, { batchMs: 5, maxIds: 10, skipApiWrites: false }, logger);
    applier.receive('games', [{ namespace: 'games', ids: ['a'] }], token(1));
    const deadline = Date.now() + 2000;
    while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(calls).toEqual(['invalidate games [a]']);
  });
});
