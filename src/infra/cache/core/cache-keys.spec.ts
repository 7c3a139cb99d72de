import { cacheKeys, canonicalQuery } from './cache-keys';

describe('cacheKeys', () => {
  it('keeps the games store key names', () => {
    expect(cacheKeys.id('games', 'abc')).toBe('games:id:abc');
    expect(cacheKeys.list('games')).toBe('games:list');
    expect(cacheKeys.list('games', {})).toBe('games:list');
  });
  it('hashes the sorted query so parameter order does not matter', () => {
    const a = cacheKeys.list('games', { genre: 'FPS', page: '2' });
    const b = cacheKeys.list('games', { page: '2', genre: 'FPS' });
    expect(a).toBe(b);
    expect(a).toMatch(/^games:list:[0-9a-f]{40}$/);
    expect(canonicalQuery({ b: '1', a: '2' })).toBe('[["a","2"],["b","1"]]');
  });
});
