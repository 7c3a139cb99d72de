import { BadRequestException, Injectable } from '@nestjs/common';
import type { QueryFilter } from 'mongoose';
import { CachedCrud, containsText, range, toCents } from '../common/kit';
import { GAME_SORT_COLUMNS, GameListQuery, toGameFields, toGameView } from './dto/game.dto';
import { Game } from './schemas/game.schema';
import { GAMES_NS } from './games.cache';

@Injectable()
export class GamesService extends CachedCrud(Game, {
  namespace: GAMES_NS,
  noun: 'game',
  toView: toGameView,
  toDocument: toGameFields,
  toChanges: toGameFields,
  sortColumns: GAME_SORT_COLUMNS,
}) {
  /** Only validated, typed values reach the filter: user input is never spread into it. */
  protected filter(query: GameListQuery): QueryFilter<Game> {
    if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
      throw new BadRequestException('minPrice must not be greater than maxPrice');
    }
    if (query.minYear !== undefined && query.maxYear !== undefined && query.minYear > query.maxYear) {
      throw new BadRequestException('minYear must not be greater than maxYear');
    }
    const filter: Record<string, unknown> = {};
    if (query.genre !== undefined) filter.genre = query.genre;
    if (query.platform !== undefined) filter.platforms = query.platform;
    if (query.publisher !== undefined) filter.publisher = query.publisher;
    if (query.q) filter.item = containsText(query.q);
    const price = range(
      query.minPrice === undefined ? undefined : toCents(query.minPrice),
      query.maxPrice === undefined ? undefined : toCents(query.maxPrice),
    );
    if (price) filter.price_cents = price;
    const year = range(query.minYear, query.maxYear);
    if (year) filter.year = year;
    return filter as QueryFilter<Game>;
  }
}
