import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { withInvalidation } from '../common/kit';
import { CacheInvalidator } from '../infra/cache';
import { toClientView } from './dto/client.dto';
import { toGameView } from './dto/game.dto';
import type { PurchaseResult } from './dto/purchase.dto';
import { Client, ClientRecord } from './schemas/client.schema';
import { Game, GameRecord } from './schemas/game.schema';
import { CLIENTS_NS, GAMES_NS } from './games.cache';

/** A client buys one unit of a game: stock, the client's purchases and both caches change together. */
@Injectable()
export class PurchasesService {
  private readonly logger = new Logger('Purchases');

  constructor(
    @InjectModel(Game.name) private readonly games: Model<Game>,
    @InjectModel(Client.name) private readonly clients: Model<Client>,
    private readonly cache: CacheInvalidator,
  ) {}

  /** Both documents' keys (and both namespaces' lists) are invalidated after the sale, whatever its outcome. */
  purchase(gameId: string, clientId: string): Promise<PurchaseResult> {
    return withInvalidation(this.cache, GAMES_NS, [gameId], () =>
      withInvalidation(this.cache, CLIENTS_NS, [clientId], () => this.sell(gameId, clientId)),
    );
  }

  private async sell(gameId: string, clientId: string): Promise<PurchaseResult> {
    // The client first: a purchase by an unknown client must not touch the stock at all.
    if (!(await this.clients.exists({ _id: clientId }))) throw new NotFoundException(`client ${clientId} not found`);

    // One atomic conditional update: of N concurrent buyers of the last unit exactly one matches
    // `available > 0`; the others get null. Stock can never go below zero.
    const game = await this.games
      .findOneAndUpdate({ _id: gameId, available: { $gt: 0 } }, { $inc: { available: -1 } }, { returnDocument: 'after' })
      .lean<GameRecord>();
    if (!game) {
      if (await this.games.exists({ _id: gameId })) throw new ConflictException(`game ${gameId} is out of stock`);
      throw new NotFoundException(`game ${gameId} not found`);
    }

    // Compensation instead of a transaction: the two writes touch two documents, and the stand-in
    // (and a standalone mongod) has no multi-document transactions. If recording the sale on the
    // client fails (deleted since step 1, or an error), the unit taken above is given back with
    // $inc +1, which is correct even if other purchases ran in between. A crash exactly between
    // the two writes would still lose one unit; on a replica set this pair belongs in a transaction.
    let client: ClientRecord | null;
    try {
      client = await this.clients
        .findOneAndUpdate(
          { _id: clientId },
          { $push: { bought: game.item }, $inc: { total_spent_cents: game.price_cents } },
          { returnDocument: 'after' },
        )
        .lean<ClientRecord>();
    } catch (error) {
      await this.giveBack(gameId);
      throw error;
    }
    if (!client) {
      await this.giveBack(gameId);
      throw new NotFoundException(`client ${clientId} not found`);
    }

    return { game: toGameView(game), client: toClientView(client) };
  }

  /** Returns the unit of an unrecorded sale (purchase() then invalidates: a reader may have cached the lower stock). */
  private async giveBack(gameId: string): Promise<void> {
    try {
      await this.games.updateOne({ _id: gameId }, { $inc: { available: 1 } });
    } catch (error) {
      this.logger.error(`could not give back one unit of game ${gameId}: ${(error as Error).message}`);
    }
  }
}
