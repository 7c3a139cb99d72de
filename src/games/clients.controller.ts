import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard';
import { ObjectIdParam } from '../common/object-id';
import { Cached } from '../infra/cache/http/cache.decorators';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { ClientsService } from './clients.service';
import { ClientListQuery, ClientPage, ClientView, CreateClientDto, ReplaceClientDto, UpdateClientDto } from './dto/client.dto';
import { CLIENTS_CACHE } from './store-cache';

@ApiTags('clients')
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
  @ApiErrors({ 404: 'no such client' })
  get(@Param() { id }: ObjectIdParam) {
    return this.clients.get(id);
  }

  @Post()
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiErrors(401, 403)
  @ApiCreatedResponse({ type: ClientView })
  @ApiErrors({ 409: 'email already exists' })
  create(@Body() dto: CreateClientDto) {
    return this.clients.create(dto);
  }

  @Put(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiErrors(401, 403)
  @ApiOperation({ summary: 'Replace a client (every field required)' })
  @ApiOkResponse({ type: ClientView })
  @ApiErrors({ 404: 'no such client', 409: 'email already exists' })
  replace(@Param() { id }: ObjectIdParam, @Body() dto: ReplaceClientDto) {
    return this.clients.replace(id, dto);
  }

  @Patch(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiErrors(401, 403)
  @ApiOkResponse({ type: ClientView })
  @ApiErrors({ 404: 'no such client', 409: 'email already exists' })
  update(@Param() { id }: ObjectIdParam, @Body() dto: UpdateClientDto) {
    return this.clients.update(id, dto);
  }

  @Delete(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiErrors(401, 403)
  @ApiOkResponse({ type: ClientView, description: 'the deleted client' })
  @ApiErrors({ 404: 'no such client' })
  remove(@Param() { id }: ObjectIdParam) {
    return this.clients.remove(id);
  }
}
