import { Module } from '@nestjs/common';
import { ChangeFeedModule } from '../infra/cache';
import { MongooseModule } from '@nestjs/mongoose';
import { ClientsController } from './clients.controller';
import { ClientsService } from './clients.service';
import { GamesController } from './games.controller';
import { GamesSeeder } from './games.seeder';
import { GamesService } from './games.service';
import { PurchasesService } from './purchases.service';
import { Client, ClientSchema } from './schemas/client.schema';
import { Game, GameSchema } from './schemas/game.schema';

import { GAMES_FEED } from './games.cache';

/** The games store: catalogue, clients and purchases, served cache-aside. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Game.name, schema: GameSchema },
      { name: Client.name, schema: ClientSchema },
    ]),
    ChangeFeedModule.forFeature(GAMES_FEED),
  ],
  controllers: [GamesController, ClientsController],
  providers: [GamesService, ClientsService, PurchasesService, GamesSeeder],
})
export class GamesModule {}
