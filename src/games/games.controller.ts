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
import { CreateGameDto, GameListQuery, GamePage, GameView, UpdateGameDto } from './dto/game.dto';
import { PurchaseDto, PurchaseResult } from './dto/purchase.dto';
import { GamesService } from './games.service';
import { PurchasesService } from './purchases.service';
import { GAMES_CACHE } from './store-cache';

@ApiTags('games')
@ApiBadRequestResponse({ description: 'malformed id, query or body (the message names the field)' })
@Controller('games')
export class GamesController {
  constructor(
    private readonly games: GamesService,
    private readonly purchases: PurchasesService,
  ) {}

  @Get()
  @Cached({ namespace: GAMES_CACHE, kind: 'list' })
  @ApiOperation({ summary: 'List games (filters, sort, pagination)' })
  @ApiOkResponse({ type: GamePage })
  list(@Query() query: GameListQuery) {
    return this.games.list(query);
  }

  @Get(':id')
  @Cached({ namespace: GAMES_CACHE, kind: 'id' })
  @ApiOkResponse({ type: GameView })
  @ApiNotFoundResponse()
  get(@Param() { id }: ObjectIdParam) {
    return this.games.get(id);
  }

  @Post()
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: GameView })
  create(@Body() dto: CreateGameDto) {
    return this.games.create(dto);
  }

  @Put(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Replace a game (every field required)' })
  @ApiOkResponse({ type: GameView })
  @ApiNotFoundResponse()
  replace(@Param() { id }: ObjectIdParam, @Body() dto: CreateGameDto) {
    return this.games.replace(id, dto);
  }

  @Patch(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ type: GameView })
  @ApiNotFoundResponse()
  update(@Param() { id }: ObjectIdParam, @Body() dto: UpdateGameDto) {
    return this.games.update(id, dto);
  }

  @Delete(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ type: GameView, description: 'the deleted game' })
  @ApiNotFoundResponse()
  remove(@Param() { id }: ObjectIdParam) {
    return this.games.remove(id);
  }

  @Post(':id/purchase')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sell one unit to a client (stock never goes below zero)' })
  @ApiCreatedResponse({ type: PurchaseResult })
  @ApiNotFoundResponse({ description: 'unknown game or client' })
  @ApiConflictResponse({ description: 'out of stock' })
  purchase(@Param() { id }: ObjectIdParam, @Body() { clientId }: PurchaseDto) {
    return this.purchases.purchase(id, clientId);
  }
}
