import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { AdminOnly } from '../../auth/access';
import { ApiErrors } from '../../infra/http/api-errors.decorator';
import { ApiTag } from '../../infra/http/api-tag';
import { EditionParam, PublicationView, SchedulePublicationDto } from './publication.dto';
import { PublicationService } from './publication.service';

@ApiTag('students')
@AdminOnly()
@Controller('editions')
export class PublicationController {
  constructor(private readonly publications: PublicationService) {}

  @Get()
  @ApiOperation({ summary: "Every edition's publication instant, and whether it is public now (admin)" })
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
}
