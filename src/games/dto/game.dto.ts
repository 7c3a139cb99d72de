import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { DecimalNumber } from '../../common/decimal';
import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageMeta } from '../../common/pagination';
import { IsFilterText } from '../../common/text-rules';
import { fromCents, IsMoney, SearchableListQuery, toCents } from '../../common/kit';
import type { Game, GameRecord } from '../schemas/game.schema';

const MAX_TAGS = 20;
const MAX_STOCK = 1_000_000;

/** POST /games and PUT /games/:id (a PUT replaces every field, so every field is required). */
export class CreateGameDto {
  @ApiProperty({ example: 'Black Ops 2' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  item: string;

  @ApiProperty({ example: 'Treyarch' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  publisher: string;

  @ApiProperty({ example: 2002, minimum: 1950, maximum: 2100 })
  @IsInt()
  @Min(1950)
  @Max(2100)
  year: number;

  @ApiProperty({ example: ['FPS'], type: [String] })
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  genre: string[];

  @ApiProperty({ example: ['PS3', 'PC'], type: [String] })
  @IsArray()
  @ArrayMaxSize(MAX_TAGS)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(50, { each: true })
  platforms: string[];

  @ApiProperty({ example: 29.99, minimum: 0, description: 'decimal with at most two places; stored as integer cents' })
  @IsMoney()
  price: number;

  @ApiProperty({ example: 35, minimum: 0, maximum: MAX_STOCK })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  available: number;
}

/** PATCH /games/:id: any subset of the fields, each validated as on create. */
export class UpdateGameDto extends PartialType(CreateGameDto, { skipNullProperties: false }) {}

export const GAME_SORT_FIELDS = ['item', 'publisher', 'year', 'price', 'available'] as const;
/** API field → stored field, where they differ. */
export const GAME_SORT_COLUMNS: Record<string, string> = { price: 'price_cents' };

export class GameListQuery extends SearchableListQuery(GAME_SORT_FIELDS, {
  example: 'zelda',
  description: 'case-insensitive text contained in the title (item)',
}) {
  @ApiPropertyOptional({ example: 'Adventure', description: 'games having this genre (exact)' })
  @IsOptional()
  @IsFilterText(50)
  genre?: string;

  @ApiPropertyOptional({ example: 'PC', description: 'games on this platform (exact)' })
  @IsOptional()
  @IsFilterText(50)
  platform?: string;

  @ApiPropertyOptional({ example: 'Nintendo', description: 'exact publisher' })
  @IsOptional()
  @IsFilterText(200)
  publisher?: string;

  @ApiPropertyOptional({ example: 10, description: 'price ≥ minPrice' })
  @IsOptional()
  @DecimalNumber()
  @IsMoney()
  minPrice?: number;

  @ApiPropertyOptional({ example: 60, description: 'price ≤ maxPrice' })
  @IsOptional()
  @DecimalNumber()
  @IsMoney()
  maxPrice?: number;

  @ApiPropertyOptional({ example: 2010 })
  @IsOptional()
  @DecimalNumber()
  @IsInt()
  @Min(0)
  @Max(9999)
  minYear?: number;

  @ApiPropertyOptional({ example: 2020 })
  @IsOptional()
  @DecimalNumber()
  @IsInt()
  @Min(0)
  @Max(9999)
  maxYear?: number;
}

/** A game as the API shows it (price in decimal). */
export class GameView {
  @ApiProperty({ example: '68e808ca5fef310fb7a1f8c6' }) _id: string;
  @ApiProperty({ example: 'The Legend of Zelda' }) item: string;
  @ApiProperty({ example: 'Nintendo' }) publisher: string;
  @ApiProperty({ example: 2017 }) year: number;
  @ApiProperty({ type: [String], example: ['Action', 'Adventure'] }) genre: string[];
  @ApiProperty({ type: [String], example: ['Nintendo Switch'] }) platforms: string[];
  @ApiProperty({ example: 59.99 }) price: number;
  @ApiProperty({ example: 4 }) available: number;
}

export class GamePage extends PageMeta {
  @ApiProperty({ type: [GameView] }) items: GameView[];
}

export function toGameView(game: GameRecord): GameView {
  return {
    _id: String(game._id),
    item: game.item,
    publisher: game.publisher,
    year: game.year,
    genre: game.genre,
    platforms: game.platforms,
    price: fromCents(game.price_cents),
    available: game.available,
  };
}

/** Validated API fields → stored fields (price → price_cents); only the fields given. */
export function toGameFields(dto: Partial<CreateGameDto>): Partial<Game> {
  const { price, ...rest } = dto;
  return { ...rest, ...(price !== undefined && { price_cents: toCents(price) }) };
}
