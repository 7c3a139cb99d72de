import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, Matches } from 'class-validator';
import { EDITION_MESSAGE, EDITION_PATTERN } from '../editions';

export class EditionParam {
  @ApiProperty({ example: '2026-fuvest', pattern: EDITION_PATTERN.source })
  @Matches(EDITION_PATTERN, { message: EDITION_MESSAGE })
  edition: string;
}

export class SchedulePublicationDto {
  @ApiProperty({
    example: '2027-01-29T15:00:00.000Z',
    description: "the instant the edition's results become public, judged on Redis' clock; at least RESULTS_PUBLISH_NOTICE_SECONDS ahead",
  })
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'publish_at must be an ISO 8601 instant, e.g. 2027-01-29T15:00:00Z' })
  publish_at: string;
}

export class PublicationView {
  @ApiProperty({ example: '2026-fuvest' }) edition: string;
  @ApiProperty({ format: 'date-time', example: '2027-01-29T15:00:00.000Z' }) publish_at: string;
  @ApiProperty({ description: "whether the public sees the edition's results now (by Redis' clock)", example: false }) published: boolean;
  @ApiProperty({ description: 'seconds until the instant (negative: since)', example: 3600 }) seconds_to_publish: number;
}
