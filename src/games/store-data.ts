import { faker } from '@faker-js/faker';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CreateClientDto, toClientDocument } from './dto/client.dto';
import { CreateGameDto, toGameFields } from './dto/game.dto';
import type { Client, Membership } from './schemas/client.schema';
import type { Game } from './schemas/game.schema';

/** The store's original sample catalogue and clients, shipped in the repository: `data/store`. */
export function storeDataDir(): string {
  return resolve(projectRoot(), 'data', 'store');
}

/** The nearest folder above this file holding package.json (works from src/, dist/ and dist-bench/). */
function projectRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

export interface StoreData {
  games: Game[];
  clients: Client[];
}

/** Reads games.json and clients.json, each record validated exactly as the API would validate it. */
export function loadSampleStore(dir = storeDataDir()): StoreData {
  return {
    games: readRecords(dir, 'games.json', CreateGameDto).map((dto) => toGameFields(dto) as Game),
    clients: readRecords(dir, 'clients.json', CreateClientDto).map((dto) => toClientDocument(dto)),
  };
}

function readRecords<T extends object>(dir: string, file: string, type: new () => T): T[] {
  const path = join(dir, file);
  if (!existsSync(path)) {
    throw new Error(`sample data not found: ${path} (the store seeder imports data/store/${file} of the repository)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(raw)) throw new Error(`${path} must hold a JSON array`);
  return raw.map((record: unknown, index) => {
    const dto = plainToInstance(type, record);
    const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) {
      const why = errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ');
      throw new Error(`${path} record ${index}: ${why}`);
    }
    return dto;
  });
}

const GENRES = ['Action', 'Adventure', 'RPG', 'FPS', 'Strategy', 'Sports', 'Racing', 'Puzzle', 'Platform', 'Survival', 'Simulation'];
const PLATFORMS = ['PC', 'PS4', 'PS5', 'Xbox One', 'Xbox Series X', 'Nintendo Switch', 'Mobile', 'Windows'];
const PRICES_CENTS = [0, 499, 999, 1499, 1999, 2499, 2695, 2999, 3999, 4999, 5999, 6999, 8999];
const MEMBERSHIP_WEIGHTS: { value: Membership; weight: number }[] = [
  { value: 'basic', weight: 6 },
  { value: 'gold', weight: 3 },
  { value: 'premium', weight: 1 },
];

/**
 * `count` more games and `count` more clients, the same for the same `seed`. Generated clients
 * bought from the whole catalogue (`catalogue` + the generated games); total_spent is their sum.
 */
export function generateStore(seed: number, count: number, catalogue: Game[] = []): StoreData {
  faker.seed(seed);
  const games: Game[] = [];
  for (let i = 0; i < count; i++) {
    games.push({
      item: `${capitalize(faker.word.adjective())} ${capitalize(faker.word.noun())} ${faker.number.int({ min: 1, max: 9 })}`,
      publisher: faker.company.name(),
      year: faker.number.int({ min: 1990, max: 2025 }),
      genre: faker.helpers.arrayElements(GENRES, { min: 1, max: 2 }),
      platforms: faker.helpers.arrayElements(PLATFORMS, { min: 1, max: 4 }),
      price_cents: faker.helpers.arrayElement(PRICES_CENTS),
      available: faker.number.int({ min: 0, max: 100 }),
    });
  }
  const all = [...catalogue, ...games];
  const clients: Client[] = [];
  for (let i = 0; i < count; i++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const bought = all.length ? faker.helpers.arrayElements(all, { min: 0, max: Math.min(5, all.length) }) : [];
    clients.push({
      name: `${firstName} ${lastName}`,
      // The index keeps generated emails unique whatever names faker repeats.
      email: `${`${firstName}.${lastName}`.toLowerCase().replace(/[^a-z0-9.]/g, '')}.${seed}.${i}@example.com`,
      joined_date: new Date(`${faker.date.between({ from: '2020-01-01', to: '2025-12-31' }).toISOString().slice(0, 10)}T00:00:00.000Z`),
      membership: faker.helpers.weightedArrayElement(MEMBERSHIP_WEIGHTS),
      total_spent_cents: bought.reduce((sum, g) => sum + g.price_cents, 0),
      bought: bought.map((g) => g.item),
    });
  }
  return { games, clients };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
