import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ObjectIdParam } from '../common/object-id';
import { Cached } from '../infra/cache/http/cache.decorators';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { CreateGameDto, GameListQuery, GamePage, GameView, UpdateGameDto } from './dto/game.dto';
import { PurchaseDto, PurchaseResult } from './dto/purchase.dto';
import { GamesService } from './games.service';
import { PurchasesService } from './purchases.service';
import { GAMES_CACHE } from './store-cache';
import { AdminOnly } from '../auth/access';
import { Public } from '../common/kit/access';

@ApiTags('games')
@Controller('games')
export class GamesController {
  constructor(
    private readonly games: GamesService,
    private readonly purchases: PurchasesService,
  ) {}

  @Get()
  @Public()
  @Cached({ namespace: GAMES_CACHE, kind: 'list' })
  @ApiOperation({ summary: 'List games (filters, sort, pagination)' })
  @ApiOkResponse({ type: GamePage })
  list(@Query() query: GameListQuery) {
    return this.games.list(query);
  }

  @Get(':id')
  @Public()
  @Cached({ namespace: GAMES_CACHE, kind: 'id' })
  @ApiOkResponse({ type: GameView })
  @ApiErrors({ 404: 'no such game' })
  get(@Param() { id }: ObjectIdParam) {
    return this.games.get(id);
  }

  @Post()
  @AdminOnly()
  @ApiCreatedResponse({ type: GameView })
  create(@Body() dto: CreateGameDto) {
    return this.games.create(dto);
  }

  @Put(':id')
  @AdminOnly()
  @ApiOperation({ summary: 'Replace a game (every field required)' })
  @ApiOkResponse({ type: GameView })
  @ApiErrors({ 404: 'no such game' })
  replace(@Param() { id }: ObjectIdParam, @Body() dto: CreateGameDto) {
    return this.games.replace(id, dto);
  }

  @Patch(':id')
  @AdminOnly()
  @ApiOkResponse({ type: GameView })
  @ApiErrors({ 404: 'no such game' })
  update(@Param() { id }: ObjectIdParam, @Body() dto: UpdateGameDto) {
    return this.games.update(id, dto);
  }

  @Delete(':id')
  @AdminOnly()
  @ApiOkResponse({ type: GameView, description: 'the deleted game' })
  @ApiErrors({ 404: 'no such game' })
  remove(@Param() { id }: ObjectIdParam) {
    return this.games.remove(id);
  }

  @Post(':id/purchase')
  @AdminOnly()
  @ApiOperation({ summary: 'Sell one unit to a client (stock never goes below zero)' })
  @ApiCreatedResponse({ type: PurchaseResult })
  @ApiErrors({ 404: 'unknown game or client', 409: 'out of stock' })
  purchase(@Param() { id }: ObjectIdParam, @Body() { clientId }: PurchaseDto) {
    return this.purchases.purchase(id, clientId);
  }
}
