import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { L1PreloadState, WarmUpState } from './warm-up-state';

export class L1PreloadView implements L1PreloadState {
  @ApiProperty({ description: 'the instance (its id for this process)', example: '0b7e4c1e-2f4d-4c55-9a43-3d8f1f0e6a21' }) instance: string;
  @ApiProperty({ example: '7d1f3a90-51c2-4b8e-8a66-2e0c9b4d1f37' }) run: string;
  @ApiProperty({ example: 41_000, description: 'entries copied into this instance’s L1' }) loaded: number;
  @ApiProperty({ description: 'L1 reached CACHE_L1_MAX_BYTES or CACHE_L1_MAX_ENTRIES first', example: true }) full: boolean;
  @ApiProperty({
    example: false,
    description: 'Redis did not answer a page of the copy (three tries): it stopped there, and the rest is read from Redis',
  })
  interrupted: boolean;
  @ApiProperty({ example: true }) done: boolean;
  @ApiProperty({ example: 1.9 }) seconds: number;
}

export class WarmUpView implements WarmUpState {
  @ApiProperty({ example: '2027-fuvest' }) edition: string;
  @ApiProperty({ example: '7d1f3a90-51c2-4b8e-8a66-2e0c9b4d1f37' }) run: string;
  @ApiProperty({ enum: ['running', 'done', 'failed'] }) status: 'running' | 'done' | 'failed';
  @ApiProperty({
    type: [String],
    example: ['2026-fuvest', '2027-fuvest'],
    description: 'the editions public from the instant on: all their results are warmed',
  })
  editions: string[];
  @ApiProperty({ description: 'warmed entries are students.public-<fingerprint>:id:<registration>', example: '5f1c0e2a' })
  fingerprint: string;
  @ApiProperty({ description: 'results to warm', example: 100_000 }) total: number;
  @ApiProperty({ description: 'results written to Redis so far (the progress figure: stored / total)', example: 100_000 }) stored: number;
  @ApiProperty({ description: 'results read again because a write moved them during the warm-up', example: 0 }) retried: number;
  @ApiProperty({ example: 4.2 }) seconds: number;
  @ApiProperty({ description: 'results stored per second', example: 23_800 }) per_second: number;
  @ApiProperty({ description: 'lifetime of the warmed entries in Redis', example: 21_600 }) ttl_seconds: number;
  @ApiProperty({ format: 'date-time', example: '2027-01-29T14:50:00.000Z' }) started_at: string;
  @ApiPropertyOptional({ format: 'date-time', example: '2027-01-29T14:50:04.200Z' }) finished_at?: string;
  @ApiPropertyOptional({ example: 'Redis did not answer', description: 'why it failed' }) error?: string;
  @ApiProperty({ description: 'the instance running it', example: '0b7e4c1e-2f4d-4c55-9a43-3d8f1f0e6a21' }) owner: string;
  @ApiProperty({ description: 'Redis time of its last progress report (ms)', example: 1_801_234_204_200 }) heartbeat_at: number;
  @ApiProperty({ type: [L1PreloadView], description: 'each instance’s copy into its own L1 once the warm-up is done' })
  l1: L1PreloadView[];
}

/** POST /students/cache/warm: the results public now, into Redis. */
export class WarmUpResult {
  @ApiProperty({ description: 'results read from MongoDB', example: 1000 }) count: number;
  @ApiProperty({ description: 'entries written to Redis', example: 1000 }) stored: number;
  @ApiProperty({ example: 0.4 }) seconds: number;
  @ApiProperty({ example: 2500 }) per_second: number;
}
