import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { AdminOnly } from '../../auth/access';
import { ApiErrors } from '../../infra/http/api-errors.decorator';
import { ApiTag } from '../../infra/http/api-tag';
import { EditionParam, PublicationView, SchedulePublicationDto } from './publication.dto';
import { PublicationService } from './publication.service';
import { ResultsWarmUpService } from '../warm-up/results-warm-up.service';
import { WarmUpView } from '../warm-up/warm-up.dto';

@ApiTag('students')
@AdminOnly()
@Controller('editions')
export class PublicationController {
  constructor(
    private readonly publications: PublicationService,
    private readonly warmUps: ResultsWarmUpService,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Every edition's publication instant, and whether it is public now (admin)",
    description: "Each edition that has an instant; whether it is public is judged on Redis' clock, as the results routes do.",
  })
  @ApiResponse({ status: 200, type: [PublicationView] })
  list(): Promise<PublicationView[]> {
    return this.publications.list();
  }

  @Put(':edition/publication')
  @ApiOperation({
    summary: "Set when an edition's results become public (admin)",
    description:
      "Before the instant every public results route answers as if the edition's results did not exist; from it on, every " +
      "instance serves them (decided on Redis' clock). The instant must be at least RESULTS_PUBLISH_NOTICE_SECONDS ahead, " +
      'and cannot move once it is that close.',
  })
  @ApiResponse({ status: 200, type: PublicationView })
  @ApiErrors({ 409: 'too close to the instant, or the edition is published already', 503: 'Redis does not answer' })
  schedule(@Param() { edition }: EditionParam, @Body() body: SchedulePublicationDto): Promise<PublicationView> {
    return this.publications.schedule(edition, new Date(body.publish_at));
  }

  @Post(':edition/warm-up')
  @HttpCode(202)
  @ApiOperation({
    summary: "Warm an edition's results into Redis before its instant, then every instance's L1 (admin)",
    description:
      'Every result public from the instant on is written to Redis under keys no request reaches before it; when done, each ' +
      'instance copies them into its own L1 up to CACHE_L1_MAX_BYTES. Runs in the background: poll GET for progress and rate.',
  })
  @ApiResponse({ status: 202, type: WarmUpView })
  @ApiErrors({ 409: 'the edition has no instant yet, or a warm-up of it is running', 503: 'no Redis' })
  startWarmUp(@Param() { edition }: EditionParam): Promise<WarmUpView> {
    return this.warmUps.start(edition);
  }

  @Get(':edition/warm-up')
  @ApiOperation({
    summary: "An edition's warm-up: progress (stored / total), rate, each instance's L1 copy (admin)",
    description: 'The last warm-up started for the edition, as its running instance last reported it (at most a second old while it runs).',
  })
  @ApiResponse({ status: 200, type: WarmUpView })
  @ApiErrors({ 404: 'no warm-up of this edition was started' })
  warmUp(@Param() { edition }: EditionParam): Promise<WarmUpView> {
    return this.warmUps.status(edition);
  }
}
