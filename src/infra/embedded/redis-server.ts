import { execFileSync, spawn } from 'node:child_process';
import { freePort } from './free-port';
import { stopChild, waitForLine } from './process';
import type { RunningServer } from './mongo-standin';

export function redisServerBinary(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The memory cap of redis-servers started here (redis-server syntax: bytes, or 64mb, 1gb...). */
export const DEFAULT_REDIS_MAXMEMORY = '256mb';

/**
 * Starts a throw-away redis-server on loopback with persistence off, capped at `maxmemory` with
 * `volatile-lru`: only keys with a TTL (cached entries, rate-limit counters) are evicted, never the
 * cache's bookkeeping, which has none (see src/infra/cache/redis/redis-scripts.ts). `configFile` and
 * `extraArgs` make replicas and sentinels (`extraArgs: ['--sentinel']`, which logs `readyLine` when it monitors).
 */
export async function startRedisServer(
  options: { port?: number; databases?: number; maxmemory?: string; configFile?: string; extraArgs?: string[]; readyLine?: RegExp } = {},
): Promise<RunningServer> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not on PATH');
  const port = options.port || (await freePort());
  const child = spawn(
    binary,
    [
      ...(options.configFile ? [options.configFile] : []),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--databases',
      String(options.databases ?? 16),
      ...(options.extraArgs?.includes('--sentinel')
        ? []
        : ['--maxmemory', options.maxmemory ?? DEFAULT_REDIS_MAXMEMORY, '--maxmemory-policy', 'volatile-lru']),
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // redis-server does not notice its parent dying (java watches its stdin, mongodb-memory-server runs a
  // killer process), so signal it on any exit that skips stop(): an uncaught error, a stray process.exit.
  const signalOnExit = () => child.kill('SIGTERM');
  process.once('exit', signalOnExit);
  try {
    await waitForLine(child, options.readyLine ?? /Ready to accept connections/, 10_000, 'redis-server');
  } catch (error) {
    process.off('exit', signalOnExit);
    await stopChild(child);
    throw error;
  }
  child.stdout.resume();
  child.stderr.resume();
  return {
    uri: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () => {
      process.off('exit', signalOnExit);
      return stopChild(child);
    },
  };
}
