import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { createProgress } from '../common/progress';
import { CacheInvalidator } from '../infra/cache';
import { ModuleSeeder, SeedOptions, SeedSummary, Seeder } from '../seeder/seeder';
import { Client } from './schemas/client.schema';
import { Game } from './schemas/game.schema';
import { CLIENTS_NS, GAMES_NS } from './games.cache';

const BATCH = 5000;

/**
 * `npm run cli -- seed games [--count N] [--seed S] [--reset]`: imports the original store's sample games and
 * clients (data/store), then N generated games and N generated clients (default 0).
 */
@Seeder('games')
export class GamesSeeder implements ModuleSeeder {
  constructor(
    @InjectModel(Game.name) private readonly games: Model<Game>,
    @InjectModel(Client.name) private readonly clients: Model<Client>,
    private readonly cache: CacheInvalidator,
  ) {}

  readonly demoCount = 40;

  async hasData(): Promise<boolean> {
    return (await this.games.estimatedDocumentCount()) + (await this.clients.estimatedDocumentCount()) > 0;
  }

  async seed({ seed, count = 0, reset }: SeedOptions): Promise<SeedSummary> {
    const started = performance.now();
    // Loaded on use: the generator pulls in faker, which every other CLI command (and --help) can do without.
    const { generateStore, loadSampleStore, storeDataDir } = await import('./store-data.js');
    const dir = storeDataDir();
    const sample = loadSampleStore(dir);
    await Promise.all([this.games.init(), this.clients.init()]);
    if (reset) {
      await Promise.all([this.games.deleteMany({}), this.clients.deleteMany({})]);
    } else if (await this.hasData()) {
      // Importing twice would duplicate the catalogue and collide on client emails.
      return {
        inserted: {},
        seconds: (performance.now() - started) / 1000,
        notes: ['games/clients already hold data: skipped (pass --reset to replace them)'],
      };
    }
    const generated = generateStore(seed, count, sample.games);
    const games = [...sample.games, ...generated.games];
    const clients = [...sample.clients, ...generated.clients];

    const progress = createProgress('seed games', games.length + clients.length);
    await this.insert(this.games, games, progress.tick);
    await this.insert(this.clients, clients, progress.tick);
    progress.done();
    await Promise.all([this.cache.invalidate(GAMES_NS), this.cache.invalidate(CLIENTS_NS)]);
    return {
      inserted: { games: games.length, clients: clients.length },
      seconds: (performance.now() - started) / 1000,
      notes: [`sample data imported from ${dir}; ${count} generated games and clients (seed ${seed})`],
    };
  }

  private async insert<T>(model: Model<T>, docs: T[], tick: (n: number) => void) {
    for (let i = 0; i < docs.length; i += BATCH) {
      const batch = docs.slice(i, i + BATCH);
      // lean: the documents are already validated and shaped; skip hydration for speed.
      await model.insertMany(batch, { lean: true });
      tick(batch.length);
    }
  }
}
