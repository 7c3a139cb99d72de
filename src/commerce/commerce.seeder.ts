import { ModuleSeeder, SeedOptions, SeedSummary, Seeder } from '../seeder/seeder';
import { CrunchService } from './crunch/crunch.service';
import { GeneratorService } from './generator/generator.service';
import { cliProgress } from './progress-sink';

/** `npm run cli -- seed commerce [--count customers]`: the generator with the seed's defaults, then crunch. */
@Seeder('commerce')
export class CommerceSeeder implements ModuleSeeder {
  constructor(
    private readonly generator: GeneratorService,
    private readonly crunch: CrunchService,
  ) {}

  async seed(options: SeedOptions): Promise<SeedSummary> {
    const generated = await this.generator.generate({ seed: options.seed, customers: options.count, reset: options.reset }, cliProgress);
    const crunched = await this.crunch.crunch({ year: generated.spec.year }, cliProgress);
    return {
      inserted: { ...generated.inserted, customer_monthly_spending: crunched.customers },
      seconds: generated.seconds + crunched.seconds,
      notes: [`spending table built for ${crunched.year}; try: npm run cli -- commerce find '{"monthly_avg_expense": {"$gt": 300}}'`],
    };
  }
}
