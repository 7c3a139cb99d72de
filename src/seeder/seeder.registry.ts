import { Injectable } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { ModuleSeeder, SEEDER, SeedOptions, SeedSummary } from './seeder';

export type SeedOutcome = { module: string; skipped: true; note: string } | ({ module: string; skipped: false } & SeedSummary);

/** Finds every @Seeder(...) provider of the loaded modules and runs them with one rule for existing data. */
@Injectable()
export class SeederRegistry {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  all(): Map<string, ModuleSeeder> {
    const seeders = new Map<string, ModuleSeeder>();
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance) continue;
      const name = this.reflector.get<string | undefined>(SEEDER, wrapper.metatype as object as Function);
      if (name) seeders.set(name, wrapper.instance as ModuleSeeder);
    }
    return seeders;
  }

  /**
   * Seeds one module. A module that already holds data is skipped unless `reset` (which replaces
   * it), so the same command means the same thing on every run.
   */
  async run(module: string, options: SeedOptions): Promise<SeedOutcome> {
    const seeders = this.all();
    const seeder = seeders.get(module);
    if (!seeder) throw new Error(`unknown module "${module}"; known: ${[...seeders.keys()].join(', ') || 'none'}`);
    if (!options.reset && (await seeder.hasData())) {
      return { module, skipped: true, note: `${module} already holds data: skipped (pass --reset to replace it)` };
    }
    return { module, skipped: false, ...(await seeder.seed(options)) };
  }
}
