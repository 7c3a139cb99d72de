import type { CacheSettings } from './core/cache.settings';
import { L1Store } from './core/l1-store';
import { L1Preloader } from './l1-preloader';
import type { LocalTier } from './local-tier';
import type { L2Tier } from './redis/l2-tier';
import { REDIS_UNAVAILABLE } from './redis/redis.connection';

describe('L1Preloader', () => {
  const keys = ['ns:id:1', 'ns:id:2', 'ns:id:3'];

  /** A real L1 behind a stand-in for the tier wiring, and a Redis whose page reads fail `failures` times. */
  function preloaderWith(failures: number) {
    const entries = new L1Store({ maxEntries: 1000, maxBytes: 1 << 20 });
    const local = {
      entries,
      usable: true,
      generation: (namespace: string) => entries.generation(namespace),
      keep: (namespace: string, key: string, body: Buffer, _pttl: number, generation: number, isList: boolean) =>
        entries.set(key, { body, namespace }, 60_000, generation, isList),
    } as unknown as LocalTier;
    let reads = 0;
    const l2 = {
      scanKeys: async () => ({ keys, cursor: '0' }),
      readMany: async (asked: string[]) => {
        reads++;
        if (reads <= failures) return REDIS_UNAVAILABLE;
        return asked.map((key) => ({ body: Buffer.from(`{"key":"${key}"}`), pttl: 60_000 }));
      },
    } as unknown as L2Tier;
    const settings = { l1MaxBytes: 1 << 20, l1MaxEntries: 1000 } as CacheSettings;
    return { preloader: new L1Preloader(settings, local, l2), entries, reads: () => reads };
  }

  it('asks again for a page Redis did not answer, and copies it', async () => {
    const { preloader, entries, reads } = preloaderWith(2);
    expect(await preloader.preload('ns:id:')).toEqual({ loaded: 3, full: false, interrupted: false });
    expect(reads()).toBe(3);
    expect(entries.get('ns:id:2')?.body.toString()).toBe('{"key":"ns:id:2"}');
  });

  it('says the copy was interrupted when Redis does not answer a page in three tries', async () => {
    const { preloader, entries, reads } = preloaderWith(Infinity);
    expect(await preloader.preload('ns:id:')).toEqual({ loaded: 0, full: false, interrupted: true });
    expect(reads()).toBe(3);
    expect(entries.size).toBe(0);
  });
});
