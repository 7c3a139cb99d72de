import { execFileSync } from 'node:child_process';
import type { RunningServer } from './mongo-standin';

/** A real mongod binary, if one can be had without downloading: MONGOMS_SYSTEM_BINARY or `mongod` on PATH. */
export function mongodBinary(): string | undefined {
  if (process.env.MONGOMS_SYSTEM_BINARY) return process.env.MONGOMS_SYSTEM_BINARY;
  try {
    return execFileSync('sh', ['-c', 'command -v mongod'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Starts a single-node replica set (change streams need one) through mongodb-memory-server. */
export async function startMongod(binary: string, dbPath?: string): Promise<RunningServer> {
  const { MongoMemoryReplSet } = await import('mongodb-memory-server-core');
  const replSet = await MongoMemoryReplSet.create({
    binary: { systemBinary: binary },
    replSet: { count: 1, storageEngine: 'wiredTiger' },
    instanceOpts: dbPath ? [{ dbPath }] : undefined,
  });
  return {
    uri: replSet.getUri(),
    pid: replSet.servers[0].instanceInfo?.instance.mongodProcess?.pid ?? 0,
    stop: async () => {
      await replSet.stop({ doCleanup: !dbPath });
    },
  };
}
