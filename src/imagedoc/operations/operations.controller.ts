import { Body, Controller, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { JwtAuthGuard } from '../../auth/jwt-auth.guard';
import { ObjectIdParam } from '../../common/object-id';
import { RateLimited } from '../../infra/rate-limit/rate-limits';
import { OperationDto } from '../dto/operation.dto';
import { OperationsService } from './operations.service';

@ApiTags('imagedoc')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
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
  @ApiOkResponse({ headers: { 'X-Cache': { description: 'HIT, MISS, or BYPASS when CACHE_ENABLED=false', schema: { type: 'string' } } } })
  @ApiBadRequestResponse({ description: 'unknown type, parameters out of range, or an image edit on a PDF' })
  @ApiNotFoundResponse({ description: "no such document, or another user's" })
  @ApiServiceUnavailableResponse({ description: 'translation requested but TRANSLATE_URL is not configured' })
  async run(
    @CurrentUser() user: AuthUser,
    @Param() { id }: ObjectIdParam,
    @Body() body: OperationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer> {
    const outcome = await this.operations.run(id, user, body);
    void reply.header('content-type', 'application/json; charset=utf-8').header('x-cache', outcome.cache);
    return outcome.body;
  }
}
