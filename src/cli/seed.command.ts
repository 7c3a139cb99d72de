import { Command, CommandRunner, Option } from 'nest-commander';
import { parseNonNegativeInt } from '../common/cli-args';
import { SeederRegistry } from '../seeder/seeder.registry';
import { EDITION_MESSAGE, EDITION_PATTERN } from '../students/editions';

interface SeedFlags {
  seed: number;
  count?: number;
  reset?: boolean;
  edition?: string;
  publishAt?: Date;
}

@Command({
  name: 'seed',
  arguments: '[module]',
  description: 'Generate data for every module, or one (deterministic for a given --seed)',
})
export class SeedCommand extends CommandRunner {
  constructor(private readonly registry: SeederRegistry) {
    super();
  }

  async run([module]: string[], flags: SeedFlags): Promise<void> {
    const names = module ? [module] : [...this.registry.all().keys()];
    for (const name of names) {
      const outcome = await this.registry.run(name, {
        seed: flags.seed,
        count: flags.count,
        reset: flags.reset,
        edition: flags.edition,
        publishAt: flags.publishAt,
      });
      if (outcome.skipped) {
        console.log(`seed ${name}: ${outcome.note}`);
        continue;
      }
      const total = Object.values(outcome.inserted).reduce((a, b) => a + b, 0);
      console.log(
        `seed ${name}: ${JSON.stringify(outcome.inserted)} in ${outcome.seconds.toFixed(2)} s (${Math.round(total / Math.max(outcome.seconds, 1e-3))} docs/s)`,
      );
      for (const note of outcome.notes ?? []) console.log(`  ${note}`);
    }
  }

  @Option({ flags: '--seed <n>', description: 'random seed (default 42)', defaultValue: 42 })
  parseSeed(value: string): number {
    return parseNonNegativeInt('--seed', value);
  }

  @Option({ flags: '--count <n>', description: 'how many primary documents (each module has a default)' })
  parseCount(value: string): number {
    return parseNonNegativeInt('--count', value);
  }

  @Option({ flags: '--reset', description: "remove the module's existing data first" })
  parseReset(): boolean {
    return true;
  }

  @Option({ flags: '--edition <id>', description: 'students: the exam edition to generate (default 2026-fuvest)' })
  parseEdition(value: string): string {
    if (!EDITION_PATTERN.test(value)) throw new Error(EDITION_MESSAGE);
    return value;
  }

  @Option({
    flags: '--publish-at <instant>',
    description: "students: when the edition's results become public (ISO 8601; a past instant: public already)",
  })
  parsePublishAt(value: string): Date {
    const at = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime()))
      throw new Error(`--publish-at must be an ISO 8601 instant, got "${value}"`);
    return at;
  }
}
