import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CACHE_SETTINGS, CacheSettings } from '../cache/core/cache.settings';
import { ChangeFeed } from '../cache/feed/change-feed.service';
import type { FeedState } from '../cache/feed/feed-stats';
import { RedisConnection } from '../cache/redis/redis.connection';
import { MongoHealth } from '../mongo/mongo-health';
import { Public } from './route-access';
import { ApiTag } from './api-tag';

export type DependencyState = 'up' | 'down' | 'disabled';

const STATES = ['up', 'down', 'disabled'];

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
  @ApiProperty({ example: 3721 })
  uptimeSeconds: number;
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'error'], description: '"ok" when MongoDB is up (Redis being down degrades the cache, not the service)' })
  status: 'ok' | 'error';
  @ApiProperty({ enum: STATES })
  mongo: DependencyState;
  @ApiProperty({
    enum: STATES,
    description: 'a real PING bounded by the Redis timeout (down too while the breaker is open); "disabled" when no Redis is configured',
  })
  redis: DependencyState;
  @ApiProperty({ enum: ['closed', 'open', 'disabled'], description: 'the cache\'s circuit breaker: "open" while it refuses Redis calls' })
  breaker: 'closed' | 'open' | 'disabled';
  @ApiProperty({
    enum: ['disabled', 'standby', 'following', 'reopening', 'unavailable', 'stopped'],
    description:
      'The change feed on this instance: following (it follows MongoDB for every instance, every stream open), ' +
      'reopening (it follows, but the streams in changeFeedClosed are closed: changes to those collections wait), ' +
      'standby (other instances follow), unavailable (no change streams: outside writes reach the cache at TTL expiry), disabled',
  })
  changeFeed: FeedState;
  @ApiProperty({ type: [String], example: [], description: 'While reopening: the collections whose change stream is closed' })
  changeFeedClosed: string[];
  @ApiProperty({ example: 3721 })
  uptimeSeconds: number;
}

/** What a probe reads while MongoDB is unreachable (the 503's example). */
const MONGO_DOWN = {
  status: 'error',
  mongo: 'down',
  redis: 'up',
  breaker: 'closed',
  changeFeed: 'reopening',
  changeFeedClosed: ['games', 'clients'],
  uptimeSeconds: 3721,
};

@ApiTag('health', 'Liveness and dependency state')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly mongo: MongoHealth,
    private readonly redis: RedisConnection,
    @Inject(CACHE_SETTINGS) private readonly cacheSettings: CacheSettings,
    private readonly feed: ChangeFeed,
  ) {}

  @Get('live')
  @ApiOperation({
    summary: 'Liveness: the process answers; touches no dependency',
    description:
      'For a liveness probe: 200 as long as the process runs. MongoDB and Redis are not asked, so an outage of theirs never gets instances restarted.',
  })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: MongoDB, Redis and the cache breaker, each checked now and bounded (503 when MongoDB is down)',
    description:
      'For a readiness probe. 503 while MongoDB is unreachable: the instance cannot serve misses or writes. Redis being down only degrades the cache (reads go to MongoDB), so the answer stays 200 with `redis: down`.',
  })
  @ApiOkResponse({ type: HealthDto, description: 'MongoDB is up' })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'MongoDB is down', example: MONGO_DOWN })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    return this.report(reply);
  }

  @Get()
  @ApiOperation({
    summary: 'Same as /health/ready (kept for existing probes)',
    description: 'The same report and status code as GET /health/ready.',
  })
  @ApiOkResponse({ type: HealthDto, description: 'MongoDB is up' })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'MongoDB is down', example: MONGO_DOWN })
  check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    return this.report(reply);
  }

  private async report(reply: FastifyReply): Promise<HealthDto> {
    const [mongo, redisPing] = await Promise.all([this.mongo.check(), this.redis.ping(Math.max(250, this.cacheSettings.redisTimeoutMs))]);
    const breaker = !this.redis.enabled ? 'disabled' : this.redis.breakerOpen ? 'open' : 'closed';
    reply.status(mongo === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const feed = this.feed.snapshot();
    return {
      status: mongo === 'up' ? 'ok' : 'error',
      mongo,
      redis: redisPing === 'up' && breaker === 'open' ? 'down' : redisPing,
      breaker,
      changeFeed: feed.state,
      changeFeedClosed: feed.closed,
      uptimeSeconds: Math.round(process.uptime()),
    };
  }
}
