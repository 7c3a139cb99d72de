import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Cached } from '../infra/cache';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { findCourse } from './courses';
import { CourseParam, RankingQuery } from './dto/student-query.dto';
import { Ranking } from './dto/student.response';
import { publicFingerprint, ResultsAccessGuard, type ResultsView, ResultsViewOf } from './results-access.guard';
import { RANKINGS_BASE_NS } from './students.cache';
import { StudentsService } from './students.service';
import { GuardedBy } from '../common/kit/access';
import { ApiTag } from '../infra/http/api-tag';

/**
 * One cache namespace per course and set of visible editions (`rankings.<course>-<fp>`), so a
 * change in one course leaves the others cached, and an edition's instant starts fresh keys.
 */
function courseScope(request: FastifyRequest): string | undefined {
  const course = (request.params as { course?: string }).course;
  const fingerprint = publicFingerprint(request);
  return course && findCourse(course) && fingerprint ? `${course}-${fingerprint}` : undefined;
}

@ApiTag('students')
@Controller('courses')
export class RankingsController {
  constructor(private readonly students: StudentsService) {}

  @Get(':course/ranking')
  @GuardedBy(ResultsAccessGuard)
  @Cached({ namespace: RANKINGS_BASE_NS, kind: 'list', scope: courseScope })
  @ApiOperation({
    summary: "An edition's leaderboard in a course (by classification)",
    description:
      'By default the most recently published edition; an edition not yet published ranks nobody, as one that does not exist. ' +
      'Cached per course and set of published editions: any change to a result of the course drops it, other courses stay cached. ' +
      '`limit` bounds the entries.',
  })
  @ApiResponse({ status: 200, type: Ranking })
  @ApiErrors({ 404: 'unknown course' })
  ranking(@Param() { course }: CourseParam, @Query() { edition, limit }: RankingQuery, @ResultsViewOf() view: ResultsView) {
    return this.students.courseRanking(course, view, edition, limit);
  }
}
