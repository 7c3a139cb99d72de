import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { ObjectIdParam } from '../../common/object-id';
import { PaginationQuery } from '../../common/pagination';
import { Cached } from '../../infra/cache';
import { ApiErrors } from '../../infra/http/api-errors.decorator';
import { collectionsScope } from '../access';
import { DocumentsService } from '../documents/documents.service';
import { CreateCollectionDto, UpdateCollectionDto } from '../dto/collection.dto';
import { CollectionPage, CollectionView } from '../dto/imagedoc.response';
import { COLLECTIONS_NS, CollectionsService } from './collections.service';
import { Authenticated } from '../../auth/access';
import { ApiTag } from '../../infra/http/api-tag';

@ApiTag('imagedoc', 'ImageDoc: collections of images and PDFs, stored files, cached operations')
@Authenticated()
@Controller('collections')
export class CollectionsController {
  constructor(
    private readonly collections: CollectionsService,
    private readonly documents: DocumentsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The caller's collections (a manager: everyone's), newest first; cached per user",
    description:
      "Each caller's list is cached under its own key, so nobody is answered with another user's list. Paginated with `page` and `limit`.",
  })
  @Cached({ namespace: COLLECTIONS_NS, kind: 'list', scope: collectionsScope })
  @ApiOkResponse({ type: CollectionPage })
  list(@CurrentUser() user: AuthUser, @Query() query: PaginationQuery) {
    return this.collections.list(user, query);
  }

  @Post()
  @ApiOperation({
    summary: 'Create a collection owned by the caller',
    description: "Only its owner and managers can see, change or delete it. Drops the caller's cached list of collections.",
  })
  @ApiCreatedResponse({ type: CollectionView })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateCollectionDto) {
    return this.collections.create(user, body);
  }

  @Get(':id')
  @ApiOperation({
    summary: "Get one collection: title, description and its documents' ids",
    description: 'Only its owner or a manager; anyone else gets 404, as if it did not exist.',
  })
  @ApiOkResponse({ type: CollectionView })
  @ApiErrors({ 404: "no such collection, or another user's" })
  get(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam) {
    return this.collections.get(id, user);
  }

  @Patch(':id')
  @ApiOperation({
    summary: "Change a collection's title or description",
    description: 'Only its owner or a manager (404 otherwise). Fields not sent keep their value.',
  })
  @ApiOkResponse({ type: CollectionView })
  @ApiErrors({ 404: "no such collection, or another user's" })
  update(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam, @Body() body: UpdateCollectionDto) {
    return this.collections.update(id, user, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a collection with its documents, their files and cached operation results',
    description:
      'Only its owner or a manager (404 otherwise). The files leave the storage; results computed from them are no longer served.',
  })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors({ 404: "no such collection, or another user's" })
  async remove(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam): Promise<void> {
    const collection = await this.collections.get(id, user);
    await this.documents.removeAllOf(collection);
    await this.collections.remove(collection);
  }
}
