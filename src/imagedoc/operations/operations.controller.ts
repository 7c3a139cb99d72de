import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { ObjectIdParam } from '../../common/object-id';
import { CACHE_HEADERS, setCacheHeaders } from '../../infra/cache';
import { RateLimited } from '../../infra/rate-limit/rate-limits';
import { ApiErrors } from '../../infra/http/api-errors.decorator';
import { OperationResult } from '../dto/imagedoc.response';
import { OperationDto } from '../dto/operation.dto';
import { OperationsService } from './operations.service';
import { Authenticated } from '../../auth/access';
import { ApiTag } from '../../infra/http/api-tag';

@ApiTag('imagedoc')
@Authenticated()
@Controller('documents/:id/operations')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Post()
  @HttpCode(200)
  @RateLimited('operations-user')
  @ApiOperation({
    summary: 'Run an operation: image edits (stored as a new document), text extraction (PDF text layer or OCR), translation',
    description: 'Cached by (file sha256, operation, canonical params): a repeat answers `X-Cache: HIT` without recomputing.',
  })
  @ApiOkResponse({
    type: OperationResult,
    headers: CACHE_HEADERS,
  })
  @ApiErrors({
    400: 'unknown type, parameters out of range, an image edit on a PDF, an edit whose result would pass IMAGE_MAX_OUTPUT_PIXELS, or a request the translation server refused',
    404: "no such document, or another user's",
    413: 'a content or processing limit, named in the message: IMAGE_MAX_PIXELS, PDF_MAX_PAGES, PDF_MAX_INFLATED_BYTES, a result over UPLOAD_MAX_BYTES, STORAGE_QUOTA_BYTES, HEAVY_WORK_MAX_RSS_MB',
    422: 'the file could not be decoded, edited or read, or its job used more CPU time than HEAVY_WORK_CPU_MS',
    502: 'the translation server failed',
    503: 'no heavy-work slot in time or the job ran past HEAVY_WORK_TIMEOUT_MS (Retry-After), or translation requested but TRANSLATE_URL is not configured',
    504: 'the translation server did not answer in time',
  })
  async run(
    @CurrentUser() user: AuthUser,
    @Param() { id }: ObjectIdParam,
    @Body() body: OperationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const outcome = await this.operations.run(id, user, body);
    setCacheHeaders(reply, outcome);
    return outcome.body;
  }
}
