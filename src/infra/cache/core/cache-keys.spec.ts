import { cacheKeys, canonicalQuery, logicalKey, redisKey, redisKeyPattern } from './cache-keys';

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

describe('names in Redis', () => {
  it('are the logical keys (after the prefix) on one server', () => {
    expect(redisKey('', 'games:id:abc', false)).toBe('games:id:abc');
    expect(redisKey('db2:', 'games:meta:gen', false)).toBe('db2:games:meta:gen');
    expect(redisKeyPattern('db2:', 'games:', false)).toBe('db2:games:*');
  });
  it('carry the namespace as a hash tag on a Cluster, so its companion keys share a slot', () => {
    expect(redisKey('', 'games:id:abc', true)).toBe('{games}:id:abc');
    expect(redisKey('', cacheKeys.generation('games'), true)).toBe('{games}:meta:gen');
    expect(redisKey('', cacheKeys.listIndex('games'), true)).toBe('{games}:meta:lists');
    expect(redisKey('db2:', 'games:list', true)).toBe('{db2:games}:list');
    expect(redisKey('', 'orphan', true)).toBe('{orphan}');
    expect(redisKeyPattern('', 'games:id:', true)).toBe('{games}:id:*');
    expect(redisKeyPattern('db2:', 'gam', true)).toBe('{db2:gam*');
  });
  it('map back to the logical key, and not at all when they are not the deployment’s', () => {
    for (const cluster of [false, true]) {
      for (const key of ['games:id:abc', 'games:list', 'games:meta:gen', 'students.u1:list:ff']) {
        expect(logicalKey('db2:', redisKey('db2:', key, cluster), cluster)).toBe(key);
      }
    }
    expect(logicalKey('', 'ratelimit:global:1.2.3.4', true)).toBeUndefined();
    expect(logicalKey('db2:', '{db3:games}:list', true)).toBeUndefined();
  });
  it('leave out what is not a cache entry: rate-limit counters, the feed, another deployment under no prefix', () => {
    for (const name of [
      'ratelimit:global:1.2.3.4',
      'ratelimit:default:list',
      'cache-feed:leader',
      'cache-feed:tokens',
      'db2:games:id:1',
      'orphan',
    ]) {
      expect(logicalKey('', name, false)).toBeUndefined();
    }
    expect(logicalKey('', 'games:list:ff', false)).toBe('games:list:ff');
  });
});
