import { ModuleSeeder, SeedOptions, SeedSummary, Seeder } from '../seeder/seeder';
import { CrunchService } from './crunch/crunch.service';
import { GeneratorService } from './generator/generator.service';
import { CommerceDataService } from './commerce-data.service';
import { cliProgress } from './progress-sink';
import { SpendingService } from './spending.service';

/** `npm run cli -- seed commerce [--count customers]`: the generator with its defaults (GENERATOR_DEFAULTS), then crunch. */
@Seeder('commerce')
export class CommerceSeeder implements ModuleSeeder {
  constructor(
    private readonly generator: GeneratorService,
    private readonly crunch: CrunchService,
    private readonly data: CommerceDataService,
    private readonly spending: SpendingService,
  ) {}

  readonly demoCount = 60;

  async hasData(): Promise<boolean> {
    return Object.values(await this.data.counts()).some((n) => n > 0);
  }

  async seed(options: SeedOptions): Promise<SeedSummary> {
    const generated = await this.generator.generate({ seed: options.seed, customers: options.count, reset: options.reset }, cliProgress);
    const crunched = await this.crunch.crunch({ year: generated.spec.year }, cliProgress);
    const [example] = (await this.spending.search({}, { page: 1, limit: 1, skip: 0 })).items;
    return {
      inserted: { ...generated.inserted, customer_monthly_spending: crunched.customers },
      seconds: generated.seconds + crunched.seconds,
      notes: [
        `spending table built for ${crunched.year}; try: npm run cli -- commerce find '{"monthly_avg_expense": {"$gt": 300}}'`,
        ...(example ? [`one customer's row: GET /commerce/spending/${example._id}`] : []),
      ],
    };
  }
}
