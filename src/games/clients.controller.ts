import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ObjectIdParam } from '../common/object-id';
import { Cached } from '../infra/cache/http/cache.decorators';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { ClientsService } from './clients.service';
import { ClientListQuery, ClientPage, ClientView, CreateClientDto, ReplaceClientDto, UpdateClientDto } from './dto/client.dto';
import { CLIENTS_CACHE } from './store-cache';
import { AdminOnly } from '../auth/access';
import { Public } from '../common/kit/access';

@ApiTags('clients')
@Controller('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @Public()
  @Cached({ namespace: CLIENTS_CACHE, kind: 'list' })
  @ApiOperation({ summary: 'List clients (filters, sort, pagination)' })
  @ApiOkResponse({ type: ClientPage })
  list(@Query() query: ClientListQuery) {
    return this.clients.list(query);
  }

  @Get(':id')
  @Public()
  @Cached({ namespace: CLIENTS_CACHE, kind: 'id' })
  @ApiOkResponse({ type: ClientView })
  @ApiErrors({ 404: 'no such client' })
  get(@Param() { id }: ObjectIdParam) {
    return this.clients.get(id);
  }

  @Post()
  @AdminOnly()
  @ApiCreatedResponse({ type: ClientView })
  @ApiErrors({ 409: 'email already exists' })
  create(@Body() dto: CreateClientDto) {
    return this.clients.create(dto);
  }

  @Put(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'Replace a client (every field required)' })
  @ApiOkResponse({ type: ClientView })
  @ApiErrors({ 404: 'no such client', 409: 'email already exists' })
  replace(@Param() { id }: ObjectIdParam, @Body() dto: ReplaceClientDto) {
    return this.clients.replace(id, dto);
  }

  @Patch(':id')
  @AdminOnly()
  @ApiOkResponse({ type: ClientView })
  @ApiErrors({ 404: 'no such client', 409: 'email already exists' })
  update(@Param() { id }: ObjectIdParam, @Body() dto: UpdateClientDto) {
    return this.clients.update(id, dto);
  }

  @Delete(':id')
  @AdminOnly()
  @ApiOkResponse({ type: ClientView, description: 'the deleted client' })
  @ApiErrors({ 404: 'no such client' })
  remove(@Param() { id }: ObjectIdParam) {
    return this.clients.remove(id);
  }
}
