import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Cached } from '../infra/cache';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { publicResultsScope, ResultsAccessGuard, type ResultsView, ResultsViewOf } from './results-access.guard';
import { CreateStudentDto, UpdateStudentDto } from './dto/student-input.dto';
import { ListStudentsQuery, NameParam, RegistrationParam } from './dto/student-query.dto';
import { StudentPage, StudentsByName, StudentView } from './dto/student.response';
import { BY_NAME_BASE_NS, STUDENTS_BASE_NS } from './students.cache';
import { ResultsWarmUpService } from './warm-up/results-warm-up.service';
import { WarmUpResult } from './warm-up/warm-up.dto';
import { StudentsService } from './students.service';
import { AdminOnly } from '../auth/access';
import { GuardedBy } from '../common/kit/access';
import { ApiTag } from '../infra/http/api-tag';

const MASKED_NOTE =
  'CPF masked (***.456.789-**) and cached; callers allowed to see whole CPFs (admin token) get it unmasked, uncached. ' +
  'Results of an edition whose publication instant has not come answer as if they did not exist (the admin token sees them).';

@ApiTag('students', 'Entrance-exam results: results, rankings, cache warm-up')
@Controller('students')
export class StudentsController {
  constructor(
    private readonly students: StudentsService,
    private readonly warmUps: ResultsWarmUpService,
  ) {}

  @Get()
  @GuardedBy(ResultsAccessGuard)
  @Cached({ namespace: STUDENTS_BASE_NS, kind: 'list', scope: publicResultsScope })
  @ApiOperation({ summary: 'Results, filtered by name (part, any case), course and status; paginated', description: MASKED_NOTE })
  @ApiResponse({ status: 200, type: StudentPage })
  list(@Query() query: ListStudentsQuery, @ResultsViewOf() view: ResultsView) {
    return this.students.list(query, view);
  }

  @Get('by-name/:name')
  @GuardedBy(ResultsAccessGuard)
  @Cached({ namespace: BY_NAME_BASE_NS, kind: 'id', idParam: 'name', scope: publicResultsScope })
  @ApiOperation({ summary: 'Every result with exactly this name (names repeat)', description: MASKED_NOTE })
  @ApiResponse({ status: 200, type: StudentsByName })
  @ApiErrors({ 404: 'nobody has this name' })
  byName(@Param() { name }: NameParam, @ResultsViewOf() view: ResultsView) {
    return this.students.byName(name, view);
  }

  @Get(':registration')
  @GuardedBy(ResultsAccessGuard)
  @Cached({ namespace: STUDENTS_BASE_NS, kind: 'id', idParam: 'registration', scope: publicResultsScope })
  @ApiOperation({ summary: "One candidate's result", description: MASKED_NOTE })
  @ApiResponse({ status: 200, type: StudentView })
  @ApiErrors({ 404: 'no such registration' })
  findOne(@Param() { registration }: RegistrationParam, @ResultsViewOf() view: ResultsView) {
    return this.students.findOne(registration, view);
  }

  @Post()
  @AdminOnly()
  @ApiOperation({
    summary: 'Add a result (seed: createPerson); re-ranks its course',
    description:
      'The final score is computed from the area scores and the course is ranked again, so classifications and statuses of others may change; their cached copies and the course ranking are dropped.',
  })
  @ApiResponse({ status: 201, type: StudentView })
  @ApiErrors({ 409: 'registration or cpf already exists' })
  create(@Body() body: CreateStudentDto) {
    return this.students.create(body);
  }

  @Patch(':registration')
  @AdminOnly()
  @ApiOperation({
    summary: 'Change a result; score, course or birth date changes re-rank the course(s)',
    description: 'Fields not sent keep their value. Every result whose classification moved is dropped from the cache.',
  })
  @ApiResponse({ status: 200, type: StudentView })
  @ApiErrors({ 404: 'no such registration', 409: 'cpf already exists' })
  update(@Param() { registration }: RegistrationParam, @Body() body: UpdateStudentDto) {
    return this.students.update(registration, body);
  }

  @Delete(':registration')
  @HttpCode(204)
  @AdminOnly()
  @ApiOperation({
    summary: 'Remove a result from MongoDB and from both cache tiers (seed: clearCache(key))',
    description: 'Its course is ranked again without it; the results that moved are dropped from the cache too.',
  })
  @ApiResponse({ status: 204, description: 'removed' })
  @ApiErrors({ 404: 'no such registration' })
  async remove(@Param() { registration }: RegistrationParam): Promise<void> {
    await this.students.remove(registration);
  }

  @Post('cache/warm')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({
    summary: 'Load every published result into Redis, pipelined (seed: cacheData); reports count and seconds',
    description:
      "Writes each public result's cached answer to Redis in pipelined batches, so the first reads after a deploy or a flush are hits. " +
      "For an edition's coming instant, warm it ahead instead: POST /editions/:edition/warm-up.",
  })
  @ApiResponse({ status: 200, type: WarmUpResult })
  warm(): Promise<WarmUpResult> {
    return this.warmUps.warmCurrent();
  }
}
