import type { RedisOptions } from 'ioredis';

/**
 * What REDIS_URL names:
 *   redis://[user:password@]host:port[/db]   (rediss:// for TLS)   one server
 *   redis+sentinel://[user:password@]host:port,host:port,.../<master name>[/db]   a Sentinel group;
 *     the password (if any) is the data nodes' one, the sentinels are assumed to need none.
 * Redis Cluster is refused with a message (its keys would need hash tags the cache does not use yet).
 */
export type RedisTarget = { kind: 'standalone'; url: string } | { kind: 'sentinel'; options: RedisOptions };

export class UnusableRedisUrlError extends Error {}

export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'standalone', url };
  const sentinel = url.match(/^redis\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/]+)\/([^/]+)(?:\/(\d+))?\/?$/);
  if (sentinel) {
    const [, username, password, hosts, name, db] = sentinel;
    const sentinels = hosts.split(',').map((hostPort) => {
      const match = hostPort.match(/^([^:]+):(\d{1,5})$/);
      if (!match) throw new UnusableRedisUrlError(`REDIS_URL: sentinel address "${hostPort}" is not host:port`);
      return { host: match[1], port: Number(match[2]) };
    });
    return {
      kind: 'sentinel',
      options: {
        sentinels,
        name: decodeURIComponent(name),
        db: db ? Number(db) : 0,
        username: username ? decodeURIComponent(username) : undefined,
        password: password ? decodeURIComponent(password) : undefined,
      },
    };
  }
  if (/^redis\+cluster:\/\//.test(url)) {
    throw new UnusableRedisUrlError(
      'REDIS_URL names a Redis Cluster, which this version of the cache does not support (use a standalone server or Sentinel)',
    );
  }
  throw new UnusableRedisUrlError('REDIS_URL must be redis://, rediss:// or redis+sentinel://host:port,.../<master name>[/db]');
}
