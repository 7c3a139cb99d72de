import { HttpException } from '@nestjs/common';
import { createInterface } from 'node:readline/promises';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { parseNonNegativeInt } from '../../common/cli-args';
import { GENERATOR_DEFAULTS } from '../commerce.constants';
import { CommerceDataService } from '../commerce-data.service';
import { CrunchService } from '../crunch/crunch.service';
import { parseSpendingFilter } from '../find/spending-filter';
import { GeneratorService } from '../generator/generator.service';
import { cliProgress } from '../progress-sink';
import { SpendingService } from '../spending.service';
import { DEFAULT_LIMIT, MAX_LIMIT, pageWindow } from '../../common/pagination';

/** HTTP-flavoured errors from the services read as plain messages on a terminal. */
function plain(error: unknown): Error {
  if (error instanceof HttpException) {
    const response = error.getResponse() as { message?: string | string[] } | string;
    const message = typeof response === 'string' ? response : response.message;
    return new Error(Array.isArray(message) ? message.join('; ') : (message ?? error.message));
  }
  return error as Error;
}

interface GenerateFlags {
  customers?: number;
  maxOrders?: number;
  products?: number;
  year?: number;
  seed?: number;
  workers?: number;
  reset?: boolean;
}

@SubCommand({
  name: 'generate',
  description: 'Generate customers, products, carts and orders with worker threads (deterministic per --seed)',
})
export class CommerceGenerateCommand extends CommandRunner {
  constructor(private readonly generator: GeneratorService) {
    super();
  }

  async run(_: string[], flags: GenerateFlags): Promise<void> {
    const summary = await this.generator.generate(flags, cliProgress).catch((e: unknown) => Promise.reject(plain(e)));
    const { inserted } = summary;
    console.log(
      `commerce generate: ${inserted.customers} customers, ${inserted.products} products, ${inserted.carts} carts, ${inserted.orders} orders ` +
        `(${summary.documents} documents) in ${summary.seconds} s = ${summary.documentsPerSecond} documents/s with ${summary.workers} workers ` +
        `[seed ${summary.spec.seed}, year ${summary.spec.year}]`,
    );
  }

  @Option({ flags: '--customers <n>', description: `customers (default ${GENERATOR_DEFAULTS.customers})` })
  parseCustomers(value: string) {
    return parseNonNegativeInt('--customers', value);
  }

  @Option({ flags: '--max-orders <n>', description: `each customer gets 0..n orders (default ${GENERATOR_DEFAULTS.maxOrders})` })
  parseMaxOrders(value: string) {
    return parseNonNegativeInt('--max-orders', value);
  }

  @Option({ flags: '--products <n>', description: `products (default ${GENERATOR_DEFAULTS.products})` })
  parseProducts(value: string) {
    return parseNonNegativeInt('--products', value);
  }

  @Option({ flags: '--year <y>', description: `orders fall in this year, UTC (default ${GENERATOR_DEFAULTS.year})` })
  parseYear(value: string) {
    return parseNonNegativeInt('--year', value);
  }

  @Option({ flags: '--seed <n>', description: `random seed (default ${GENERATOR_DEFAULTS.seed})` })
  parseSeed(value: string) {
    return parseNonNegativeInt('--seed', value);
  }

  @Option({ flags: '--workers <n>', description: 'worker threads (default: one per core)' })
  parseWorkers(value: string) {
    return parseNonNegativeInt('--workers', value);
  }

  @Option({ flags: '--reset', description: 'drop existing commerce data first' })
  parseReset() {
    return true;
  }
}

@SubCommand({ name: 'reset', description: 'Drop every commerce collection and the spending table (asks first unless --yes)' })
export class CommerceResetCommand extends CommandRunner {
  constructor(private readonly data: CommerceDataService) {
    super();
  }

  async run(_: string[], flags: { yes?: boolean }): Promise<void> {
    if (!flags.yes) {
      if (!process.stdin.isTTY) throw new Error('commerce reset deletes data: pass --yes to confirm (no terminal to ask on)');
      const counts = await this.data.counts();
      const prompt = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await prompt.question(`Drop all commerce data ${JSON.stringify(counts)}? Type "yes" to confirm: `);
      prompt.close();
      if (answer.trim().toLowerCase() !== 'yes') {
        console.log('commerce reset: cancelled, nothing changed');
        return;
      }
    }
    const dropped = await this.data.reset();
    console.log(`commerce reset: dropped ${dropped.length ? dropped.join(', ') : 'nothing (no commerce collections)'}`);
  }

  @Option({ flags: '-y, --yes', description: 'do not ask for confirmation' })
  parseYes() {
    return true;
  }
}

@SubCommand({
  name: 'crunch',
  description: 'Build the customer_monthly_spending table inside MongoDB (all customers, or only --customer ones)',
})
export class CommerceCrunchCommand extends CommandRunner {
  constructor(private readonly crunch: CrunchService) {
    super();
  }

  async run(_: string[], flags: { year?: number; customer?: string[] }): Promise<void> {
    const summary = await this.crunch
      .crunch({ year: flags.year, customerIds: flags.customer }, cliProgress)
      .catch((e: unknown) => Promise.reject(plain(e)));
    console.log(
      `commerce crunch (${summary.mode}, ${summary.year}): ${summary.orders} orders → ${summary.customers} rows in ${summary.seconds} s ` +
        `(${summary.ordersPerSecond} orders/s, ${summary.customersPerSecond} customers/s)`,
    );
  }

  @Option({ flags: '--year <y>', description: 'year to build (default: the year the table holds, else 2025)' })
  parseYear(value: string) {
    return parseNonNegativeInt('--year', value);
  }

  @Option({ flags: '--customer <customer_id...>', description: 'recompute only these customers (incremental)' })
  parseCustomer(value: string, previous: string[] = []) {
    if (!/^[0-9a-fA-F]{24}$/.test(value)) throw new Error(`--customer must be a customer_id (24 hex characters), got "${value}"`);
    return [...previous, value.toLowerCase()];
  }
}

@SubCommand({
  name: 'find',
  arguments: '<filter>',
  description: `Query the spending table with a JSON filter, e.g. '{"monthly_spenses.mar": {"$gt": 100}}' (query operators only)`,
})
export class CommerceFindCommand extends CommandRunner {
  constructor(private readonly spending: SpendingService) {
    super();
  }

  async run([text]: string[], flags: { page?: number; limit?: number }): Promise<void> {
    const filter = parseSpendingFilter(text);
    const page = await this.spending.search(filter, pageWindow({ page: flags.page, limit: flags.limit }));
    console.log(JSON.stringify(page, null, 2));
    console.error(`commerce find: ${page.items.length} of ${page.total} rows (page ${page.page}, ${page.limit} per page)`);
  }

  @Option({ flags: '--page <n>', description: 'page (default 1)' })
  parsePage(value: string) {
    const page = parseNonNegativeInt('--page', value);
    if (page < 1) throw new Error('--page must be at least 1');
    return page;
  }

  @Option({ flags: '--limit <n>', description: `rows per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` })
  parseLimit(value: string) {
    const limit = parseNonNegativeInt('--limit', value);
    if (limit < 1 || limit > MAX_LIMIT) throw new Error(`--limit must be from 1 to ${MAX_LIMIT}`);
    return limit;
  }
}

@Command({
  name: 'commerce',
  description: 'The generated commerce dataset: generate | reset | crunch | find',
  subCommands: [CommerceGenerateCommand, CommerceResetCommand, CommerceCrunchCommand, CommerceFindCommand],
})
export class CommerceCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
