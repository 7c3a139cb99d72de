import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard';
import { ObjectIdParam } from '../common/object-id';
import { Cached } from '../infra/cache/cache.decorators';
import { ClientsService } from './clients.service';
import { ClientListQuery, ClientPage, ClientView, CreateClientDto, ReplaceClientDto, UpdateClientDto } from './dto/client.dto';
import { CLIENTS_CACHE } from './store-cache';

@ApiTags('clients')
@ApiBadRequestResponse({ description: 'malformed id, query or body (the message names the field)' })
@Controller('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @Cached({ namespace: CLIENTS_CACHE, kind: 'list' })
  @ApiOperation({ summary: 'List clients (filters, sort, pagination)' })
  @ApiOkResponse({ type: ClientPage })
  list(@Query() query: ClientListQuery) {
    return this.clients.list(query);
  }

  @Get(':id')
  @Cached({ namespace: CLIENTS_CACHE, kind: 'id' })
  @ApiOkResponse({ type: ClientView })
  @ApiNotFoundResponse()
  get(@Param() { id }: ObjectIdParam) {
    return this.clients.get(id);
  }

  @Post()
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: ClientView })
  @ApiConflictResponse({ description: 'email already exists' })
  create(@Body() dto: CreateClientDto) {
    return this.clients.create(dto);
  }

  @Put(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Replace a client (every field required)' })
  @ApiOkResponse({ type: ClientView })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'email already exists' })
  replace(@Param() { id }: ObjectIdParam, @Body() dto: ReplaceClientDto) {
    return this.clients.replace(id, dto);
  }

  @Patch(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ type: ClientView })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'email already exists' })
  update(@Param() { id }: ObjectIdParam, @Body() dto: UpdateClientDto) {
    return this.clients.update(id, dto);
  }

  @Delete(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ type: ClientView, description: 'the deleted client' })
  @ApiNotFoundResponse()
  remove(@Param() { id }: ObjectIdParam) {
    return this.clients.remove(id);
  }
}
