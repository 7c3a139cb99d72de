import type { mongo } from 'mongoose';
import { REDIS_UNAVAILABLE, RedisConnection } from '../redis/redis.connection';

/**
 * Resume tokens of the last applied event per collection, in one Redis hash every instance reads,
 * so that a restarted instance or a new leader resumes where the last one stopped.
 */
export class FeedTokens {
  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
  ) {}

  async load(collection: string): Promise<mongo.ResumeToken | undefined> {
    const stored = await this.redis.run((redis) => redis.hget(this.key, collection));
    if (stored === REDIS_UNAVAILABLE || !stored) return undefined;
    try {
      return JSON.parse(stored) as mongo.ResumeToken;
    } catch {
      return undefined; // unreadable: treated as no token (the collection's namespaces are dropped)
    }
  }

  async save(tokens: Map<string, mongo.ResumeToken>): Promise<void> {
    if (tokens.size === 0) return;
    const fields = [...tokens].flatMap(([collection, token]) => [collection, JSON.stringify(token)]);
    await this.redis.run((redis) => redis.hset(this.key, ...fields));
  }

  async forget(collection: string): Promise<void> {
    await this.redis.run((redis) => redis.hdel(this.key, collection));
  }
}
