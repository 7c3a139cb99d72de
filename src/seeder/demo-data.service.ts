import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { asMongoJob } from '../infra/mongo/operation-deadline';
import { SeederRegistry, SeedOutcome } from './seeder.registry';

/** Same data on every machine: the demo dataset is always generated from this seed. */
export const DEMO_SEED = 42;

/** The first start on an empty database gets a small demo dataset of every module, so the API shows something. */
@Injectable()
export class DemoDataService {
  private readonly logger = new Logger('DemoData');

  constructor(
    private readonly seeders: SeederRegistry,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  /** Empty: no collection holds a document (indexes built at start-up create empty collections). */
  async databaseIsEmpty(): Promise<boolean> {
    const collections = await this.connection.db!.listCollections({}, { nameOnly: true }).toArray();
    const counts = await Promise.all(
      collections.filter((c) => !c.name.startsWith('system.')).map((c) => this.connection.collection(c.name).estimatedDocumentCount()),
    );
    return counts.every((n) => n === 0);
  }

  /** Seeds every module when the database is empty; undefined when it was not. */
  seedIfEmpty(): Promise<SeedOutcome[] | undefined> {
    // A job: bulk deletes and inserts, not a request's operations.
    return asMongoJob(() => this.seedEmpty());
  }

  private async seedEmpty(): Promise<SeedOutcome[] | undefined> {
    if (!(await this.databaseIsEmpty())) return undefined;
    const started = performance.now();
    const outcomes: SeedOutcome[] = [];
    for (const [module, seeder] of this.seeders.all()) {
      try {
        outcomes.push(await this.seeders.run(module, { seed: DEMO_SEED, count: seeder.demoCount }));
      } catch (error) {
        // Demo data is a convenience: the API starts without it.
        this.logger.warn(`demo data for ${module} failed: ${(error as Error).message}`);
      }
    }
    const inserted = outcomes.reduce((sum, o) => sum + (o.skipped ? 0 : Object.values(o.inserted).reduce((a, b) => a + b, 0)), 0);
    this.logger.log(
      `empty database: seeded a demo dataset (${inserted} documents, seed ${DEMO_SEED}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return outcomes;
  }
}
