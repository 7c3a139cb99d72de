import Redis from 'ioredis';
import { CACHE_SCRIPT_SHAS } from '../../src/infra/cache/redis/redis-scripts';

/** Commands the clients sent while `work` ran (not those scripts ran inside Redis), by kind. */
export async function countRedisCommands(redisUrl: string, work: () => Promise<void>): Promise<Record<string, number>> {
  const client = new Redis(redisUrl);
  const monitor = await client.monitor();
  const counts: Record<string, number> = {};
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source.includes('lua')) return;
    const name = String(args[0]).toLowerCase();
    const kind = name === 'evalsha' ? (CACHE_SCRIPT_SHAS[String(args[1])] ?? 'evalsha') : name;
    counts[kind] = (counts[kind] ?? 0) + 1;
  });
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 200)); // MONITOR delivers what it saw
  } finally {
    monitor.disconnect();
    client.disconnect();
  }
  return counts;
}

/** Commands that read cache entries: the read script, and the plain reads it replaced. */
export function readCommands(counts: Record<string, number>): number {
  return ['readEntry', 'get', 'pttl', 'mget', 'exists'].reduce((sum, kind) => sum + (counts[kind] ?? 0), 0);
}
