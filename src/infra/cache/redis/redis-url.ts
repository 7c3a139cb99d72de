import type { RedisOptions } from 'ioredis';

/**
 * What REDIS_URL names:
 *   redis://[user:password@]host:port[/db]   (rediss:// for TLS)   one server
 *   redis+sentinel://[user:password@]host:port,host:port,.../<master name>[/db]   a Sentinel group;
 *     the password (if any) is the data nodes' one, the sentinels are assumed to need none.
 *   redis+cluster://[user:password@]host:port,host:port,...   a Redis Cluster (any reachable nodes
 *     as seeds; the rest of the cluster is discovered). A Cluster has db 0 only, so no /db.
 */
export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | { kind: 'sentinel'; options: RedisOptions }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; username?: string; password?: string };

export class UnusableRedisUrlError extends Error {}

export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'standalone', url };
  const sentinel = url.match(/^redis\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/]+)\/([^/]+)(?:\/(\d+))?\/?$/);
  if (sentinel) {
    const [, username, password, hosts, name, db] = sentinel;
    return {
      kind: 'sentinel',
      options: {
        sentinels: addresses(hosts, 'sentinel'),
        name: decodeURIComponent(name),
        db: db ? Number(db) : 0,
        username: username ? decodeURIComponent(username) : undefined,
        password: password ? decodeURIComponent(password) : undefined,
      },
    };
  }
  const cluster = url.match(/^redis\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/]+?)(\/.*)?$/);
  if (cluster) {
    const [, username, password, hosts, path] = cluster;
    if (path && path !== '/') {
      throw new UnusableRedisUrlError(`REDIS_URL: a Redis Cluster has only db 0, so redis+cluster:// takes no path (got "${path}")`);
    }
    return {
      kind: 'cluster',
      nodes: addresses(hosts, 'cluster node'),
      username: username ? decodeURIComponent(username) : undefined,
      password: password ? decodeURIComponent(password) : undefined,
    };
  }
  throw new UnusableRedisUrlError(
    'REDIS_URL must be redis://, rediss://, redis+sentinel://host:port,.../<master name>[/db] or redis+cluster://host:port,...',
  );
}

function addresses(hosts: string, what: string): { host: string; port: number }[] {
  return hosts.split(',').map((hostPort) => {
    const match = hostPort.match(/^([^:]+):(\d{1,5})$/);
    if (!match) throw new UnusableRedisUrlError(`REDIS_URL: ${what} address "${hostPort}" is not host:port`);
    return { host: match[1], port: Number(match[2]) };
  });
}
