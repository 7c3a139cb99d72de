import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Connection } from 'mongoose';
import { ChangeFeed } from '../cache/feed/change-feed.service';
import type { FeedState } from '../cache/feed/feed-stats';
import { RedisConnection } from '../cache/redis.connection';

export type DependencyState = 'up' | 'down' | 'disabled';

const STATES = ['up', 'down', 'disabled'];

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'error'], description: '"ok" when MongoDB is up (Redis being down degrades the cache, not the service)' })
  status: 'ok' | 'error';
  @ApiProperty({ enum: STATES })
  mongo: DependencyState;
  @ApiProperty({ enum: STATES, description: '"disabled" when no Redis is configured (in-process cache tier only)' })
  redis: DependencyState;
  @ApiProperty({
    enum: ['disabled', 'standby', 'following', 'unavailable', 'stopped'],
    description:
      'The change feed on this instance: following (it follows MongoDB for every instance), standby (another instance does), ' +
      'unavailable (no change streams: outside writes reach the cache at TTL expiry), disabled',
  })
  changeFeed: FeedState;
  @ApiProperty()
  uptimeSeconds: number;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectConnection() private readonly mongo: Connection,
    private readonly redis: RedisConnection,
    private readonly feed: ChangeFeed,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthDto, description: 'MongoDB is up' })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'MongoDB is down' })
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const mongo = await this.pingMongo();
    const health: HealthDto = {
      status: mongo === 'up' ? 'ok' : 'error',
      mongo,
      redis: this.redis.state(),
      changeFeed: this.feed.snapshot().state,
      uptimeSeconds: Math.round(process.uptime()),
    };
    reply.status(mongo === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return health;
  }

  private async pingMongo(): Promise<DependencyState> {
    if (this.mongo.readyState !== 1 || !this.mongo.db) return 'down';
    try {
      await Promise.race([
        this.mongo.db.command({ ping: 1 }),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000)),
      ]);
      return 'up';
    } catch {
      return 'down';
    }
  }
}
