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
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { JwtAuthGuard } from '../../auth/jwt-auth.guard';
import { ObjectIdParam } from '../../common/object-id';
import { PaginationQuery } from '../../common/pagination';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { CollectionsService } from '../collections/collections.service';
import { DocumentsService } from './documents.service';
import { readUploadForm } from './multipart-upload';

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

@ApiTags('imagedoc')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller()
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly collections: CollectionsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  @Post('collections/:id/documents')
  @ApiOperation({ summary: 'Upload an image or PDF into a collection (multipart: file, title)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody(FILE_FORM)
  @ApiNotFoundResponse({ description: "no such collection, or another user's" })
  @ApiPayloadTooLargeResponse({ description: 'larger than UPLOAD_MAX_BYTES' })
  @ApiUnsupportedMediaTypeResponse({ description: 'not PNG/JPEG/WebP/PDF, unreadable, or named/declared as another type' })
  async upload(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam, @Req() request: FastifyRequest) {
    const collection = await this.collections.get(id, user);
    const form = await readUploadForm(request, this.env.UPLOAD_MAX_BYTES);
    if (!form.file) throw new BadRequestException('the "file" field is required');
    if (!form.title) throw new BadRequestException('the "title" field is required');
    return this.documents.upload(collection, user, form.title, form.file);
  }

  @Get('collections/:id/documents')
  @ApiOperation({ summary: "A collection's documents with their metadata, in upload order" })
  @ApiNotFoundResponse({ description: "no such collection, or another user's" })
  async list(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam, @Query() query: PaginationQuery) {
    return this.documents.listIn(await this.collections.get(id, user), query);
  }

  @Get('documents/:id')
  @ApiNotFoundResponse({ description: "no such document, or another user's" })
  get(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam) {
    return this.documents.get(id, user);
  }

  @Get('documents/:id/file')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiOperation({ summary: "The document's file, with its detected content type" })
  @ApiNotFoundResponse({ description: "no such document, or another user's" })
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
  @ApiOperation({ summary: "Replace the document's file (multipart: file); its cached operation results are dropped" })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: FILE_FORM.schema.properties.file } } })
  async replace(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam, @Req() request: FastifyRequest) {
    await this.documents.get(id, user);
    const form = await readUploadForm(request, this.env.UPLOAD_MAX_BYTES);
    if (!form.file) throw new BadRequestException('the "file" field is required');
    if (form.title !== undefined) throw new BadRequestException('title cannot be changed here');
    return this.documents.replaceFile(id, user, form.file);
  }

  @Delete('documents/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete the document, its file and its cached operation results' })
  @ApiNoContentResponse()
  remove(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam): Promise<void> {
    return this.documents.remove(id, user);
  }
}
