import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import type { RunningServer } from './mongo-standin';
import { freePorts } from './free-port';
import { startRedisServer } from './redis-server';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  server: RunningServer;
  /** Killed by a test (kill -9): skipped by the helpers and by stop(). */
  killed?: boolean;
}

export interface RedisClusterHarness {
  /** redis+cluster://… URL the app takes as REDIS_URL. */
  url: string;
  nodes: ClusterNode[];
  /** A plain client on one node (callers disconnect it). */
  client(port: number): Redis;
  /** The port of the master serving `key`'s slot, as a live node sees the cluster now. */
  masterOf(key: string): Promise<number>;
  /** Moves the slot of `key` (with its keys) to the master on `toPort`, as `redis-cli --cluster reshard` does. */
  migrateSlotOf(key: string, toPort: number): Promise<void>;
  /** Kills a node with SIGKILL (no goodbye to the cluster). */
  kill(port: number): void;
  /** Until every live node says cluster_state:ok and every slot's master is alive. */
  waitHealthy(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

const NODE_TIMEOUT_MS = 2000;

async function poll(check: () => Promise<boolean>, timeoutMs: number, intervalMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * One cluster-enabled redis-server. Its bus port is chosen free too: the default (port + 10000)
 * may be taken, or above 65535 for a port from the kernel's ephemeral range. A port taken between
 * choosing and binding (other tests run beside) is retried with new ones.
 */
async function startClusterNode(dir: string, index: number) {
  for (let attempt = 1; ; attempt++) {
    const [port, busPort] = await freePorts(2);
    try {
      return await startRedisServer({
        port,
        extraArgs: [
          '--dir',
          dir,
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          join(dir, `nodes-${index}.conf`),
          '--cluster-node-timeout',
          String(NODE_TIMEOUT_MS),
        ],
      });
    } catch (error) {
      if (attempt >= 3) throw error;
      rmSync(join(dir, `nodes-${index}.conf`), { force: true });
    }
  }
}

/**
 * Six redis-servers (`--cluster-enabled yes`) on loopback, made one Cluster of three masters with
 * one replica each by `redis-cli --cluster create`. Free ports, one temporary folder. For tests
 * (test/harness/redis-cluster.ts) and benchmarks; the app never starts one.
 */
export async function startRedisCluster(): Promise<RedisClusterHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'cachebook-cluster-'));
  const nodes: ClusterNode[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const server = await startClusterNode(dir, i);
      nodes.push({ port: Number(new URL(server.uri).port), server });
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 60_000 });
  } catch (error) {
    await Promise.allSettled(nodes.map((n) => n.server.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const client = (port: number) =>
    new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, connectTimeout: 2000 }).on('error', () => undefined);

  /** CLUSTER NODES from any live node: masters (with their slots) and live replicas. */
  async function view(): Promise<{ masters: { port: number; slots: string; failed: boolean }[]; replicaPorts: number[] }> {
    for (const node of nodes.filter((n) => !n.killed)) {
      const redis = client(node.port);
      try {
        const text = (await redis.call('CLUSTER', 'NODES')) as string;
        const lines = text
          .trim()
          .split('\n')
          .map((l) => l.split(' '));
        const masters = lines
          .filter((f) => f[2].includes('master'))
          .map((f) => ({ port: Number(f[1].split(':')[1].split('@')[0]), slots: f.slice(8).join(' '), failed: /fail/.test(f[2]) }));
        const replicaPorts = lines
          .filter((f) => f[2].includes('slave') && !/fail/.test(f[2]))
          .map((f) => Number(f[1].split(':')[1].split('@')[0]));
        return { masters, replicaPorts };
      } catch {
        // try the next node
      } finally {
        redis.disconnect();
      }
    }
    throw new Error('no cluster node answered');
  }

  async function allOk(): Promise<boolean> {
    for (const node of nodes.filter((n) => !n.killed)) {
      const redis = client(node.port);
      try {
        const info = (await redis.call('CLUSTER', 'INFO')) as string;
        if (!info.includes('cluster_state:ok')) return false;
      } catch {
        return false;
      } finally {
        redis.disconnect();
      }
    }
    const { masters } = await view();
    const alive = new Set(nodes.filter((n) => !n.killed).map((n) => n.port));
    return masters.filter((m) => m.slots).every((m) => alive.has(m.port) && !m.failed);
  }

  async function replicasSynced(): Promise<boolean> {
    const { replicaPorts } = await view();
    for (const port of replicaPorts) {
      const redis = client(port);
      try {
        if (!((await redis.info('replication')) as string).includes('master_link_status:up')) return false;
      } catch {
        return false;
      } finally {
        redis.disconnect();
      }
    }
    return replicaPorts.length > 0;
  }

  const harness: RedisClusterHarness = {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes,
    client,
    async masterOf(key) {
      const any = nodes.find((n) => !n.killed)!;
      const redis = client(any.port);
      try {
        const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', key));
        const slots = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const range = slots.find(([from, to]) => slot >= from && slot <= to);
        if (!range) throw new Error(`slot ${slot} has no master`);
        return range[2][1];
      } finally {
        redis.disconnect();
      }
    },
    async migrateSlotOf(key, toPort) {
      const fromPort = await harness.masterOf(key);
      if (fromPort === toPort) throw new Error(`the slot of ${key} is already on ${toPort}`);
      const from = client(fromPort);
      const to = client(toPort);
      try {
        const slot = Number(await from.call('CLUSTER', 'KEYSLOT', key));
        const fromId = (await from.call('CLUSTER', 'MYID')) as string;
        const toId = (await to.call('CLUSTER', 'MYID')) as string;
        await to.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
        await from.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
        for (;;) {
          const keys = (await from.call('CLUSTER', 'GETKEYSINSLOT', slot, 100)) as string[];
          if (keys.length === 0) break;
          await from.call('MIGRATE', '127.0.0.1', toPort, '', 0, 5000, 'KEYS', ...keys);
        }
        await to.call('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
        await from.call('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
      } finally {
        from.disconnect();
        to.disconnect();
      }
    },
    kill(port) {
      const node = nodes.find((n) => n.port === port)!;
      node.killed = true;
      process.kill(node.server.pid, 'SIGKILL');
    },
    waitHealthy: (timeoutMs) => poll(() => allOk(), timeoutMs, 200),
    async stop() {
      await Promise.allSettled(nodes.filter((n) => !n.killed).map((n) => n.server.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Ready: every slot served, and every replica in sync (a failover needs one to promote).
  const ready = await poll(async () => (await allOk()) && (await replicasSynced()), 30_000, 200);
  if (!ready) {
    await harness.stop();
    throw new Error('the Redis Cluster did not reach cluster_state:ok with its replicas in sync within 30 s');
  }
  return harness;
}
