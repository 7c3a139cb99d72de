import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { L1PreloadState, WarmUpState } from './warm-up-state';

export class L1PreloadView implements L1PreloadState {
  @ApiProperty({ description: 'the instance (its id for this process)' }) instance: string;
  @ApiProperty() run: string;
  @ApiProperty({ description: 'entries copied into this instance’s L1' }) loaded: number;
  @ApiProperty({ description: 'L1 reached CACHE_L1_MAX_BYTES or CACHE_L1_MAX_ENTRIES first' }) full: boolean;
  @ApiProperty() done: boolean;
  @ApiProperty() seconds: number;
}

export class WarmUpView implements WarmUpState {
  @ApiProperty({ example: '2027-fuvest' }) edition: string;
  @ApiProperty() run: string;
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) status: 'running' | 'done' | 'failed';
  @ApiProperty({ type: [String], description: 'the editions public from the instant on: all their results are warmed' }) editions: string[];
  @ApiProperty({ description: 'warmed entries are students.public-<fingerprint>:id:<registration>' }) fingerprint: string;
  @ApiProperty({ description: 'results to warm' }) total: number;
  @ApiProperty({ description: 'results written to Redis so far (the progress figure: stored / total)' }) stored: number;
  @ApiProperty({ description: 'results read again because a write moved them during the warm-up' }) retried: number;
  @ApiProperty() seconds: number;
  @ApiProperty({ description: 'results stored per second' }) per_second: number;
  @ApiProperty({ description: 'lifetime of the warmed entries in Redis' }) ttl_seconds: number;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiPropertyOptional({ format: 'date-time' }) finished_at?: string;
  @ApiPropertyOptional() error?: string;
  @ApiProperty({ description: 'the instance running it' }) owner: string;
  @ApiProperty({ description: 'Redis time of its last progress report (ms)' }) heartbeat_at: number;
  @ApiProperty({ type: [L1PreloadView], description: 'each instance’s copy into its own L1 once the warm-up is done' })
  l1: L1PreloadView[];
}

/** POST /students/cache/warm: the results public now, into Redis. */
export class WarmUpResult {
  @ApiProperty({ description: 'results read from MongoDB' }) count: number;
  @ApiProperty({ description: 'entries written to Redis' }) stored: number;
  @ApiProperty() seconds: number;
  @ApiProperty() per_second: number;
}
