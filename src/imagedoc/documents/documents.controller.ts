import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { ObjectIdParam } from '../../common/object-id';
import { PaginationQuery } from '../../common/pagination';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { ApiErrors } from '../../infra/http/api-errors.decorator';
import { RateLimited } from '../../infra/rate-limit/rate-limits';
import { CollectionsService } from '../collections/collections.service';
import { DocumentPage, DocumentView } from '../dto/imagedoc.response';
import { DOCUMENT_MIME_TYPES } from '../schemas/doc-file.schema';
import { DocumentsService } from './documents.service';
import { readUploadForm } from './multipart-upload';
import { Authenticated } from '../../auth/access';
import { ApiTag } from '../../infra/http/api-tag';

const FILE_FORM = {
  schema: {
    type: 'object',
    required: ['file', 'title'],
    properties: {
      file: { type: 'string', format: 'binary', description: 'PNG, JPEG, WebP or PDF (type read from the content)' },
      title: { type: 'string', maxLength: 200 },
    },
  },
};

const NOT_FOUND = { 404: "no such document, or another user's" };
const UPLOAD_ERRORS = {
  400: 'missing or unknown form field, or a title with control characters',
  413: "larger than UPLOAD_MAX_BYTES, more than one file, over the owner's STORAGE_QUOTA_BYTES, or a PDF over PDF_MAX_PAGES / PDF_MAX_INFLATED_BYTES",
  415: 'not multipart/form-data; not PNG/JPEG/WebP/PDF, unreadable, or named/declared as another type',
  503: 'no heavy-work slot free in time to read the PDF, or reading it ran past HEAVY_WORK_TIMEOUT_MS (Retry-After)',
};

@ApiTag('imagedoc')
@Authenticated()
@Controller()
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly collections: CollectionsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Post('collections/:id/documents')
  @RateLimited('uploads-user')
  @ApiOperation({
    summary: 'Upload an image or PDF into a collection (multipart: file, title)',
    description:
      '`multipart/form-data` with `file` (PNG, JPEG, WebP or PDF up to UPLOAD_MAX_BYTES; the type is read from the bytes, not the name) and `title`. Images over IMAGE_MAX_PIXELS and PDFs over PDF_MAX_PAGES get 413. The answer has the detected metadata: type, size, sha256, dimensions or page count.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_FORM)
  @ApiCreatedResponse({ type: DocumentView })
  @ApiErrors(UPLOAD_ERRORS, { 404: "no such collection, or another user's" })
  async upload(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam, @Req() request: FastifyRequest) {
    const collection = await this.collections.get(id, user);
    const form = await readUploadForm(request, this.env.UPLOAD_MAX_BYTES);
    if (!form.file) throw new BadRequestException('the "file" field is required');
    if (!form.title) throw new BadRequestException('the "title" field is required');
    return this.documents.upload(collection, user, form.title, form.file);
  }

  @Get('collections/:id/documents')
  @ApiOperation({
    summary: "A collection's documents with their metadata, in upload order",
    description: "Only the collection's owner or a manager (404 otherwise). Paginated with `page` and `limit`.",
  })
  @ApiOkResponse({ type: DocumentPage })
  @ApiErrors({ 404: "no such collection, or another user's" })
  async list(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam, @Query() query: PaginationQuery) {
    return this.documents.listIn(await this.collections.get(id, user), query);
  }

  @Get('documents/:id')
  @ApiOperation({
    summary: "Get one document's metadata",
    description:
      'Title, file URL and what was detected at upload (type, size, sha256, dimensions or pages; for an edited image, its source). Only its owner or a manager (404 otherwise).',
  })
  @ApiOkResponse({ type: DocumentView })
  @ApiErrors(NOT_FOUND)
  get(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam) {
    return this.documents.get(id, user);
  }

  @Get('documents/:id/file')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiOperation({
    summary: "The document's file, with its detected content type",
    description:
      'The stored bytes, `Content-Type` as detected at upload and `Content-Disposition: inline`. Only its owner or a manager (404 otherwise).',
  })
  @ApiOkResponse({
    description: 'the stored bytes',
    content: Object.fromEntries(DOCUMENT_MIME_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
  })
  @ApiErrors(NOT_FOUND)
  async file(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam): Promise<StreamableFile> {
    const { document, stream } = await this.documents.openFile(id, user);
    const extension = document.metadata.mime_type.split('/')[1].replace('jpeg', 'jpg');
    return new StreamableFile(stream, {
      type: document.metadata.mime_type,
      length: document.metadata.size,
      disposition: `inline; filename="${id}.${extension}"`,
    });
  }

  @Put('documents/:id/file')
  @RateLimited('uploads-user')
  @ApiOperation({
    summary: "Replace the document's file (multipart: file); its cached operation results are dropped",
    description: '`multipart/form-data` with `file` only: the title stays. The metadata is detected again from the new file.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: FILE_FORM.schema.properties.file } } })
  @ApiOkResponse({ type: DocumentView })
  @ApiErrors(UPLOAD_ERRORS, NOT_FOUND)
  async replace(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam, @Req() request: FastifyRequest) {
    await this.documents.get(id, user);
    const form = await readUploadForm(request, this.env.UPLOAD_MAX_BYTES);
    if (!form.file) throw new BadRequestException('the "file" field is required');
    if (form.title !== undefined) throw new BadRequestException('title cannot be changed here');
    return this.documents.replaceFile(id, user, form.file);
  }

  @Delete('documents/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete the document, its file and its cached operation results',
    description: 'Only its owner or a manager (404 otherwise).',
  })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors(NOT_FOUND)
  remove(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam): Promise<void> {
    return this.documents.remove(id, user);
  }
}
