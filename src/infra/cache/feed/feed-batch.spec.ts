import { FeedBatch } from './feed-batch';

describe('FeedBatch', () => {
  it('merges the ids of many events per namespace and keeps list-only namespaces', () => {
    const batch = new FeedBatch(10);
    batch.add([{ namespace: 'games', ids: ['a'] }]);
    batch.add([{ namespace: 'games', ids: ['b', 'a'] }, { namespace: 'rankings.med' }]);
    expect(batch.events).toBe(2);
    expect(batch.take()).toEqual({
      prefixes: [],
      wholeNamespaces: [],
      invalidations: [
        { namespace: 'games', ids: ['a', 'b'] },
        { namespace: 'rankings.med', ids: [] },
      ],
    });
    expect(batch.empty).toBe(true);
  });

  it('drops a namespace whole past maxIds, and ignores its later ids', () => {
    const batch = new FeedBatch(3);
    for (const id of ['1', '2', '3', '4', '5']) batch.add([{ namespace: 'games', ids: [id] }]);
    expect(batch.take()).toEqual({ prefixes: [], wholeNamespaces: ['games'], invalidations: [] });
  });

  it('skips targets a prefix clear already covers', () => {
    const batch = new FeedBatch(10);
    batch.add([
      { namespace: 'collections.u1', ids: [] },
      { namespace: 'collections.all', whole: true },
      { namespace: 'games', ids: ['x'] },
    ]);
    batch.add([{ prefix: 'collections.' }]);
    expect(batch.take()).toEqual({ prefixes: ['collections.'], wholeNamespaces: [], invalidations: [{ namespace: 'games', ids: ['x'] }] });
  });
});
