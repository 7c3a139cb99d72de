import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation } from '@nestjs/swagger';
import { AdminOnly } from '../auth/access';
import { CachedCrudController } from '../common/kit';
import { ObjectIdParam } from '../common/object-id';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { CreateGameDto, GameListQuery, GamePage, GameView, UpdateGameDto } from './dto/game.dto';
import { PurchaseDto, PurchaseResult } from './dto/purchase.dto';
import { GamesService } from './games.service';
import { PurchasesService } from './purchases.service';
import { ApiTag } from '../infra/http/api-tag';

@ApiTag('games', 'Games store catalogue: filters, sort, pagination, purchases')
@Controller('games')
export class GamesController extends CachedCrudController(GamesService, {
  plural: 'games',
  types: { view: GameView, page: GamePage, query: GameListQuery, create: CreateGameDto, update: UpdateGameDto },
  writeAccess: AdminOnly,
}) {
  constructor(
    games: GamesService,
    private readonly purchases: PurchasesService,
  ) {
    super(games);
  }

  @Post(':id/purchase')
  @AdminOnly()
  @ApiOperation({
    summary: 'Sell one unit to a client (stock never goes below zero)',
    description:
      "Takes one unit of stock atomically (of concurrent buyers of the last unit exactly one succeeds, the others get 409), adds the game to the client's purchases and its price to their total, and drops both cached copies.",
  })
  @ApiCreatedResponse({ type: PurchaseResult })
  @ApiErrors({ 404: 'unknown game or client', 409: 'out of stock' })
  purchase(@Param() { id }: ObjectIdParam, @Body() { clientId }: PurchaseDto) {
    return this.purchases.purchase(id, clientId);
  }
}
