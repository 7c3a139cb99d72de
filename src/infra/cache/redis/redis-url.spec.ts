import { parseRedisUrl, UnusableRedisUrlError } from './redis-url';

describe('parseRedisUrl', () => {
  it('passes standalone URLs through', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({ kind: 'standalone', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisUrl('rediss://u:p@cache:6380')).toEqual({ kind: 'standalone', url: 'rediss://u:p@cache:6380' });
  });

  it('reads a Sentinel group: addresses, master name, db and the data nodes’ credentials', () => {
    expect(parseRedisUrl('redis+sentinel://:s3cret@10.0.0.1:26379,10.0.0.2:26380/mymaster/3')).toEqual({
      kind: 'sentinel',
      options: {
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
        ],
        name: 'mymaster',
        db: 3,
        username: undefined,
        password: 's3cret',
      },
    });
  });

  it('reads a Cluster: seed nodes and credentials', () => {
    expect(parseRedisUrl('redis+cluster://u:p%40ss@10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      username: 'u',
      password: 'p@ss',
    });
    expect(parseRedisUrl('redis+cluster://127.0.0.1:7000/')).toMatchObject({ kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }] });
  });

  it('refuses what it cannot use, saying why', () => {
    expect(() => parseRedisUrl('redis+cluster://127.0.0.1:7000/2')).toThrow(/only db 0/);
    expect(() => parseRedisUrl('redis+cluster://127.0.0.1')).toThrow(/not host:port/);
    expect(() => parseRedisUrl('redis+sentinel://127.0.0.1/mymaster')).toThrow(UnusableRedisUrlError);
    expect(() => parseRedisUrl('http://127.0.0.1')).toThrow(/REDIS_URL must be/);
  });
});
