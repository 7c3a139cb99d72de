import { HoldProxy } from './hold-proxy';

/**
 * The cache-aside race, forced the same way for every cache: instance A reads a document it has
 * never cached (a miss: it fetches the old value from MongoDB); A's Redis connection goes through
 * a HoldProxy that holds the store carrying the old value; meanwhile the write lands (MongoDB,
 * then the cache's invalidation, through instance B); then the store is released. A trial is
 * stale when, after the dust settles, A or B still serves the old value.
 */
export interface RaceTarget {
  name: string;
  /** Instance A (its Redis through `proxy`) and instance B (direct). */
  readerUrl: string;
  otherUrl: string;
  proxy: HoldProxy;
  itemPath(id: string): string;
  /** Puts `value` in MongoDB without touching the cache (the document was never cached). */
  prepare(id: string, value: string): Promise<void>;
  /** The write under test: MongoDB, then the cache's invalidation path. */
  write(id: string, value: string): Promise<void>;
}

export interface RaceResult {
  trials: number;
  /** Trials where the held store never came (the race could not be forced): not counted as stale or fresh. */
  not_forced: number;
  stale: number;
}

/** Bus messages from B reach A asynchronously; give them this long before judging. */
const SETTLE_MS = 300;

export async function forceRace(target: RaceTarget, ids: string[]): Promise<RaceResult> {
  const result: RaceResult = { trials: ids.length, not_forced: 0, stale: 0 };
  for (const [trial, id] of ids.entries()) {
    const oldValue = `race-old-${target.name}-${trial}-${Date.now()}`;
    const newValue = `race-new-${target.name}-${trial}-${Date.now()}`;
    await target.prepare(id, oldValue);
    const held = target.proxy.arm(oldValue, 5000);
    // Settled either way, so a failed read is reported here rather than as an unhandled rejection.
    const read = fetch(`${target.readerUrl}${target.itemPath(id)}`).then(
      (r) => r.text(),
      (error: Error) => error,
    );
    if (!(await held)) {
      result.not_forced++;
      await read;
      continue;
    }
    await target.write(id, newValue);
    target.proxy.release();
    const first = await read;
    if (first instanceof Error) throw new Error(`${target.name}: the held read failed: ${first.message}`, { cause: first });
    if (!first.includes(oldValue)) {
      result.not_forced++; // the read did not fetch the old document
      continue;
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const after = await Promise.all(
      [target.readerUrl, target.otherUrl].map(async (url) => (await fetch(`${url}${target.itemPath(id)}`)).text()),
    );
    if (after.some((body) => body.includes(oldValue))) result.stale++;
  }
  return result;
}
