import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Cached } from '../infra/cache';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { findCourse } from './courses';
import { CourseParam, RankingQuery } from './dto/student-query.dto';
import { Ranking } from './dto/student.response';
import { RANKINGS_BASE_NS } from './students.cache';
import { StudentsService } from './students.service';
import { Public } from '../common/kit/access';
import { ApiTag } from '../infra/http/api-tag';

/** One cache namespace per course (`rankings.<course>`), so a change in one course leaves the others cached. */
function courseScope(request: FastifyRequest): string | undefined {
  const course = (request.params as { course?: string }).course;
  return course && findCourse(course) ? course : undefined;
}

@ApiTag('students')
@Controller('courses')
export class RankingsController {
  constructor(private readonly students: StudentsService) {}

  @Get(':course/ranking')
  @Public()
  @Cached({ namespace: RANKINGS_BASE_NS, kind: 'list', scope: courseScope })
  @ApiOperation({
    summary: "A course's leaderboard (by classification)",
    description:
      'Public and cached per course: any change to a result of the course drops it, other courses stay cached. `limit` bounds the entries.',
  })
  @ApiResponse({ status: 200, type: Ranking })
  @ApiErrors({ 404: 'unknown course' })
  ranking(@Param() { course }: CourseParam, @Query() { limit }: RankingQuery) {
    return this.students.courseRanking(course, limit);
  }
}
