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

/** Starts a throw-away redis-server on loopback with persistence off. */
export async function startRedisServer(options: { port?: number; databases?: number } = {}): Promise<RunningServer> {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not on PATH');
  const port = options.port || (await freePort());
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--databases', String(options.databases ?? 16)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForLine(child, /Ready to accept connections/, 10_000, 'redis-server');
  child.stdout.resume();
  child.stderr.resume();
  return { uri: `redis://127.0.0.1:${port}`, pid: child.pid!, stop: () => stopChild(child) };
}
