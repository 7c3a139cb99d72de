import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';

export const SEEDER = Symbol('SEEDER');

export interface SeedOptions {
  /** Same seed, same data (faker is seeded with it). */
  seed: number;
  /** How many primary documents to generate; each seeder documents its default. */
  count?: number;
  /** Remove the module's existing data first. */
  reset?: boolean;
  /** Students: the exam edition to generate (default 2026-fuvest). */
  edition?: string;
  /** Students: when the edition's results become public (in the past: already public). */
  publishAt?: Date;
}

export interface SeedSummary {
  /** documents inserted, by collection */
  inserted: Record<string, number>;
  seconds: number;
  /** lines a person needs afterwards (e.g. demo credentials) */
  notes?: string[];
}

/** A module's data generator, run by `npm run cli -- seed [module]`. */
export interface ModuleSeeder {
  /** `count` of the small demo dataset a first start on an empty embedded database gets (undefined: the default). */
  readonly demoCount?: number;
  /** Whether the module's collections already hold data (seeding then skips unless reset). */
  hasData(): Promise<boolean>;
  seed(options: SeedOptions): Promise<SeedSummary>;
}

/** Registers a provider as the seeder of `module` (found by SeederRegistry through discovery). */
export function Seeder(module: string) {
  return applyDecorators(Injectable(), SetMetadata(SEEDER, module));
}
