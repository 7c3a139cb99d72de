import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { DecimalNumber } from '../../common/decimal';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { PaginationQuery } from '../../common/pagination';
import { COURSE_CODES, STUDENT_STATUSES } from '../courses';
import { EDITION_MESSAGE, EDITION_PATTERN } from '../editions';
import { NAME_PATTERN, REGISTRATION_PATTERN } from './student-input.dto';

export class RegistrationParam {
  @ApiProperty({ example: '2600000001', pattern: '^[0-9]{10}$', description: '10 digits' })
  @Matches(REGISTRATION_PATTERN, { message: 'registration must be 10 digits' })
  registration: string;
}

export class NameParam {
  @ApiProperty({ example: 'Maria da Silva', description: 'exact full name (names repeat: every match is returned)' })
  @IsString()
  @Length(2, 120)
  @Matches(NAME_PATTERN, { message: 'name may contain letters, spaces, apostrophes, hyphens and dots' })
  name: string;
}

export class ListStudentsQuery extends PaginationQuery {
  @ApiPropertyOptional({ description: 'case-insensitive part of the name' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(2, 120)
  @Matches(NAME_PATTERN, { message: 'name may contain letters, spaces, apostrophes, hyphens and dots' })
  name?: string;

  @ApiPropertyOptional({ enum: COURSE_CODES })
  @IsOptional()
  @IsIn(COURSE_CODES)
  course?: string;

  @ApiPropertyOptional({ enum: STUDENT_STATUSES })
  @IsOptional()
  @IsIn(STUDENT_STATUSES)
  status?: string;

  @ApiPropertyOptional({ example: '2026-fuvest', description: 'one edition (an unpublished one matches nothing)' })
  @IsOptional()
  @Matches(EDITION_PATTERN, { message: EDITION_MESSAGE })
  edition?: string;
}

export class CourseParam {
  @ApiProperty({ example: 'medicina', enum: COURSE_CODES })
  @Matches(/^[a-z0-9-]{1,60}$/, { message: 'course must be a course code (lowercase letters, digits, hyphens)' })
  course: string;
}

export const DEFAULT_RANKING_LIMIT = 50;
export const MAX_RANKING_LIMIT = 500;

export class RankingQuery {
  @ApiPropertyOptional({ example: '2026-fuvest', description: 'default: the most recently published edition' })
  @IsOptional()
  @Matches(EDITION_PATTERN, { message: EDITION_MESSAGE })
  edition?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_RANKING_LIMIT, default: DEFAULT_RANKING_LIMIT })
  @IsOptional()
  @DecimalNumber()
  @IsInt()
  @Min(1)
  @Max(MAX_RANKING_LIMIT)
  limit?: number;
}
