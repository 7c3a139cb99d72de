import type { CacheInvalidator } from '../../infra/cache';
import { withInvalidation } from './invalidation';

function recordingCache() {
  const calls: [string, readonly string[]][] = [];
  const cache = { invalidate: (namespace: string, ids: readonly string[] = []) => (calls.push([namespace, ids]), Promise.resolve()) };
  return { cache: cache as unknown as CacheInvalidator, calls };
}

describe('withInvalidation', () => {
  it('invalidates after the write has finished, with ids known before or read from the result', async () => {
    const { cache, calls } = recordingCache();
    const order: string[] = [];
    await withInvalidation(cache, 'things', ['a'], async () => {
      order.push(`write (${calls.length} invalidations so far)`);
      return 1;
    });
    await withInvalidation(
      cache,
      'things',
      (created: { _id: string }) => [created._id],
      () => Promise.resolve({ _id: 'b' }),
    );
    expect(order).toEqual(['write (0 invalidations so far)']);
    expect(calls).toEqual([
      ['things', ['a']],
      ['things', ['b']],
    ]);
  });

  it('still invalidates when the write throws (it may have changed MongoDB halfway), and rethrows', async () => {
    const { cache, calls } = recordingCache();
    const failure = new Error('E11000 duplicate key');
    await expect(withInvalidation(cache, 'things', ['a'], () => Promise.reject(failure))).rejects.toBe(failure);
    // A create that failed has no id: the lists are dropped all the same.
    await expect(
      withInvalidation(
        cache,
        'things',
        (r: { _id: string }) => [r._id],
        () => Promise.reject(failure),
      ),
    ).rejects.toBe(failure);
    expect(calls).toEqual([
      ['things', ['a']],
      ['things', []],
    ]);
  });
});
