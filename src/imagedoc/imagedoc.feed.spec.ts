import { COLLECTIONS_FEED, DOCUMENTS_FEED } from './imagedoc.feed';

describe('imagedoc change-feed declarations', () => {
  const owner = { toString: () => 'u1' };

  it("a collection change drops its owner's lists and the managers' list", () => {
    expect(COLLECTIONS_FEED.targets({ operationType: 'insert', id: 'c1', after: { user_id: owner } })).toEqual([
      { namespace: 'collections.all' },
      { namespace: 'collections.u1' },
    ]);
  });

  it("without the previous owner (delete without a pre-image, update without a field list), every owner's lists go", () => {
    expect(COLLECTIONS_FEED.targets({ operationType: 'delete', id: 'c1' })).toEqual([{ prefix: 'collections.' }]);
    expect(COLLECTIONS_FEED.targets({ operationType: 'update', id: 'c1', after: { user_id: owner } })).toEqual([
      { prefix: 'collections.' },
    ]);
    expect(COLLECTIONS_FEED.targets({ operationType: 'update', id: 'c1', after: { user_id: owner }, changedFields: ['title'] })).toEqual([
      { namespace: 'collections.all' },
      { namespace: 'collections.u1' },
    ]);
  });

  it("a derived document's insert keeps its source's cached edit (which names it); its delete drops it", () => {
    const derived = { metadata: { sha256: 'new', derived_from: { sha256: 'src' } } };
    expect(DOCUMENTS_FEED.targets({ operationType: 'insert', id: 'd1', after: derived })).toEqual([]);
    expect(DOCUMENTS_FEED.targets({ operationType: 'delete', id: 'd1', before: derived })).toEqual([
      { namespace: 'operations.new' },
      { namespace: 'operations.src' },
    ]);
    expect(DOCUMENTS_FEED.targets({ operationType: 'delete', id: 'd1' })).toEqual([{ prefix: 'operations.' }]);
  });
});
