import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../../src/infra/embedded/free-port';
import type { RunningServer } from '../../src/infra/embedded/mongo-standin';
import { startRedisServer } from '../../src/infra/embedded/redis-server';

export const SENTINEL_MASTER = 'cachebook';

export interface SentinelGroup {
  /** redis+sentinel://… URL the app takes as REDIS_URL. */
  url: string;
  master: RunningServer;
  replica: RunningServer;
  sentinels: RunningServer[];
  /** The master's port as the sentinels currently see it. */
  masterPort(): Promise<number>;
  stop(): Promise<void>;
}

/** One master, one replica and three sentinels (quorum 2) on loopback, each a real redis-server. */
export async function startSentinelGroup(): Promise<SentinelGroup> {
  const dir = mkdtempSync(join(tmpdir(), 'cachebook-sentinel-'));
  // Replication writes an RDB file even with persistence off: keep it in the temporary folder.
  const master = await startRedisServer({ extraArgs: ['--dir', dir] });
  const masterPort = Number(new URL(master.uri).port);
  const replica = await startRedisServer({ extraArgs: ['--dir', dir, '--replicaof', '127.0.0.1', String(masterPort)] });
  const sentinels: RunningServer[] = [];
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const configFile = join(dir, `sentinel-${i}.conf`);
    // Sentinels rewrite their config file, so each gets its own writable one.
    writeFileSync(
      configFile,
      [
        `dir ${dir}`,
        `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
        '',
      ].join('\n'),
    );
    sentinels.push(await startRedisServer({ port, configFile, extraArgs: ['--sentinel'], readyLine: /\+monitor master/ }));
    ports.push(port);
  }
  const url = `redis+sentinel://${ports.map((p) => `127.0.0.1:${p}`).join(',')}/${SENTINEL_MASTER}`;
  return {
    url,
    master,
    replica,
    sentinels,
    async masterPort() {
      // Any sentinel that answers will do: under load one may reset a connection.
      for (const port of ports) {
        const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
        client.on('error', () => undefined);
        try {
          await client.connect();
          const [, masterPort] = (await client.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER)) as [string, string];
          return Number(masterPort);
        } catch {
          // try the next sentinel
        } finally {
          client.disconnect();
        }
      }
      throw new Error('no sentinel answered');
    },
    async stop() {
      await Promise.allSettled([...sentinels, replica, master].map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
