import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser } from '../../auth/current-user.decorator';
import { JwtAuthGuard } from '../../auth/jwt-auth.guard';
import { ObjectIdParam } from '../../common/object-id';
import { PaginationQuery } from '../../common/pagination';
import { Cached } from '../../infra/cache/cache.decorators';
import { collectionsScope } from '../access';
import { DocumentsService } from '../documents/documents.service';
import { CreateCollectionDto, UpdateCollectionDto } from '../dto/collection.dto';
import { COLLECTIONS_NAMESPACE, CollectionsService } from './collections.service';

@ApiTags('imagedoc')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('collections')
export class CollectionsController {
  constructor(
    private readonly collections: CollectionsService,
    private readonly documents: DocumentsService,
  ) {}

  @Get()
  @ApiOperation({ summary: "The caller's collections (a manager: everyone's), newest first; cached per user" })
  @Cached({ namespace: COLLECTIONS_NAMESPACE, kind: 'list', scope: collectionsScope })
  list(@CurrentUser() user: AuthUser, @Query() query: PaginationQuery) {
    return this.collections.list(user, query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a collection owned by the caller' })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateCollectionDto) {
    return this.collections.create(user, body);
  }

  @Get(':id')
  @ApiNotFoundResponse({ description: "no such collection, or another user's" })
  get(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam) {
    return this.collections.get(id, user);
  }

  @Patch(':id')
  @ApiNotFoundResponse({ description: "no such collection, or another user's" })
  update(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam, @Body() body: UpdateCollectionDto) {
    return this.collections.update(id, user, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a collection with its documents, their files and cached operation results' })
  @ApiNoContentResponse()
  async remove(@CurrentUser() user: AuthUser, @Param() { id }: ObjectIdParam): Promise<void> {
    const collection = await this.collections.get(id, user);
    await this.documents.removeAllOf(collection);
    await this.collections.remove(collection);
  }
}
