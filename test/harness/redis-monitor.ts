import { once } from 'node:events';
import type Redis from 'ioredis';

/**
 * A MONITOR connection like `redis.monitor()`, with one ioredis race absorbed: when MONITOR's OK and
 * the first monitored line arrive in one packet, ioredis reads the line before it has switched to
 * monitoring mode and emits "Command queue state error" (an unhandled 'error' that fails the run).
 * Only lines from before the returned promise resolved are lost that way, never the ones a test
 * watches for. Other errors are thrown as before.
 */
export async function monitorRedis(redis: Redis): Promise<Redis> {
  const monitor = redis.duplicate({ monitor: true, lazyConnect: false });
  monitor.on('error', (error: Error) => {
    if (!error.message.startsWith('Command queue state error')) throw error;
  });
  await once(monitor, 'monitoring');
  return monitor;
}

/**
 * Commands the app sends on its own schedule, whatever the request: the bus's PINGs and messages,
 * connection set-up, and the publication gate's reading of Redis' clock and the schedule.
 */
export function isBackgroundCommand(args: string[]): boolean {
  return /^(ping|publish|subscribe|client|info|select)$/i.test(args[0]) || args.some((arg) => arg.endsWith('results:publication'));
}
