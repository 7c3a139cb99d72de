import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { Page, pageWindow } from '../common/pagination';
import { TwoTierCache } from '../infra/cache/two-tier-cache.service';
import { CreateGameDto, GAME_SORT_COLUMNS, GameListQuery, GameView, toGameFields, toGameView, UpdateGameDto } from './dto/game.dto';
import { containsText, range, sortSpec } from './list-query';
import { toCents } from './money';
import { Game, GameRecord } from './schemas/game.schema';
import { GAMES_CACHE } from './store-cache';

@Injectable()
export class GamesService {
  constructor(
    @InjectModel(Game.name) private readonly games: Model<Game>,
    private readonly cache: TwoTierCache,
  ) {}

  async list(query: GameListQuery): Promise<Page<GameView>> {
    const filter = gameFilter(query);
    const { page, limit, skip } = pageWindow(query);
    const [items, total] = await Promise.all([
      this.games.find(filter).sort(sortSpec(query.sort, GAME_SORT_COLUMNS)).skip(skip).limit(limit).lean<GameRecord[]>(),
      this.games.countDocuments(filter),
    ]);
    return { items: items.map(toGameView), total, page, limit };
  }

  async get(id: string): Promise<GameView> {
    return toGameView(found(await this.games.findById(id).lean<GameRecord>(), id));
  }

  async create(dto: CreateGameDto): Promise<GameView> {
    const created = await this.games.create(toGameFields(dto));
    await this.cache.invalidate(GAMES_CACHE, [created.id as string]);
    return toGameView(created.toObject());
  }

  /** PUT: every field replaced (the DTO requires them all). */
  async replace(id: string, dto: CreateGameDto): Promise<GameView> {
    const replaced = await this.games
      .findOneAndReplace({ _id: id }, toGameFields(dto), { returnDocument: 'after', runValidators: true })
      .lean<GameRecord>();
    await this.cache.invalidate(GAMES_CACHE, [id]);
    return toGameView(found(replaced, id));
  }

  async update(id: string, dto: UpdateGameDto): Promise<GameView> {
    const fields = toGameFields(dto);
    if (Object.keys(fields).length === 0) throw new BadRequestException('the body must contain at least one field to change');
    const updated = await this.games
      .findByIdAndUpdate(id, { $set: fields }, { returnDocument: 'after', runValidators: true })
      .lean<GameRecord>();
    await this.cache.invalidate(GAMES_CACHE, [id]);
    return toGameView(found(updated, id));
  }

  async remove(id: string): Promise<GameView> {
    const removed = await this.games.findByIdAndDelete(id).lean<GameRecord>();
    await this.cache.invalidate(GAMES_CACHE, [id]);
    return toGameView(found(removed, id));
  }
}

/** Only validated, typed values reach the filter: user input is never spread into it. */
function gameFilter(query: GameListQuery): QueryFilter<Game> {
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

function found<T>(doc: T | null, id: string): T {
  if (!doc) throw new NotFoundException(`game ${id} not found`);
  return doc;
}
