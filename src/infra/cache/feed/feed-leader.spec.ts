import type { Logger } from '@nestjs/common';
import { REDIS_UNAVAILABLE, RedisConnection } from '../redis/redis.connection';
import { FeedLeader } from './feed-leader';

const logger = { log() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

/** A Redis whose answer to the lease script the test sets: 1 (ours), 0 (another's) or no answer. */
function fakeRedis() {
  const state: { answer: 1 | 0 | typeof REDIS_UNAVAILABLE } = { answer: 1 };
  const redis = { enabled: true, run: async () => state.answer } as unknown as RedisConnection;
  return { redis, state };
}

describe('FeedLeader', () => {
  it('keeps following while Redis does not answer, and stops when Redis says another instance holds the lease', async () => {
    const { redis, state } = fakeRedis();
    const events: string[] = [];
    const leader = new FeedLeader(
      redis,
      'cache-feed:leader',
      { followers: 2, leaseMs: 300 },
      { gained: async () => void events.push('gained'), lost: async () => void events.push('lost') },
      logger,
    );
    await leader.start();
    expect(events).toEqual(['gained']);
    state.answer = REDIS_UNAVAILABLE;
    // Several renewal periods, and past the lease's lifetime: still following.
    await new Promise((r) => setTimeout(r, 700));
    expect([events, leader.holding]).toEqual([['gained'], true]);
    state.answer = 0;
    const deadline = Date.now() + 2000;
    while (leader.holding && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['gained', 'lost']);
    leader.stop();
  });

  it('does not start following while Redis does not answer', async () => {
    const { redis, state } = fakeRedis();
    state.answer = REDIS_UNAVAILABLE;
    const events: string[] = [];
    const leader = new FeedLeader(
      redis,
      'k',
      { followers: 1, leaseMs: 300 },
      { gained: async () => void events.push('gained'), lost: async () => undefined },
      logger,
    );
    await leader.start();
    expect([events, leader.holding]).toEqual([[], false]);
    leader.stop();
  });
});
