import type { RedisClient } from './redis.connection';

/** One instance wins the reload of a key: SET NX with a short expiry (never released early; it just lapses). */
export async function takeRefreshLock(redis: RedisClient, lockKey: string, ttlMs: number): Promise<boolean> {
  return (await redis.set(lockKey, '1', 'PX', ttlMs, 'NX')) === 'OK';
}
