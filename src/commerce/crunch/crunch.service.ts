import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import { Connection, Model, PipelineStage } from 'mongoose';
import { TwoTierCache } from '../../infra/cache/two-tier-cache.service';
import { COLLECTIONS, GENERATOR_DEFAULTS, SPENDING_CACHE_NS } from '../commerce.constants';
import { CommerceDataService } from '../commerce-data.service';
import { ProgressSink, silentProgress } from '../progress-sink';
import { Customer } from '../schemas/customer.schema';
import { Order } from '../schemas/order.schema';
import { cellsPipeline, CrunchScope, ordersInScope, tablePipeline } from './spending.pipeline';

export interface CrunchOptions {
  year?: number;
  /** Recompute only these customers (by customer_id); the table keeps its other rows. */
  customerIds?: string[];
}

export interface CrunchSummary {
  mode: 'full' | 'incremental';
  year: number;
  /** Rows written to the table. */
  customers: number;
  /** Orders of the year that were aggregated. */
  orders: number;
  seconds: number;
  ordersPerSecond: number;
  customersPerSecond: number;
}

export const MAX_INCREMENTAL_CUSTOMERS = 10_000;

/**
 * Builds the spending table with two aggregation pipelines that run entirely in MongoDB
 * (orders → per-customer cells, customers → rows), ending in $out for a full rebuild (the
 * table is swapped whole) or $merge for the given customers only.
 */
@Injectable()
export class CrunchService {
  /** Runs one after another in this process, so an order's recompute never interleaves with a rebuild. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @InjectModel(Order.name) private readonly orders: Model<Order>,
    @InjectModel(Customer.name) private readonly customers: Model<Customer>,
    private readonly data: CommerceDataService,
    private readonly cache: TwoTierCache,
  ) {}

  crunch(options: CrunchOptions = {}, progress: ProgressSink = silentProgress): Promise<CrunchSummary> {
    const run = this.queue.then(() => this.run(options, progress));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(options: CrunchOptions, progress: ProgressSink): Promise<CrunchSummary> {
    const meta = await this.data.meta();
    const ids = options.customerIds ? [...new Set(options.customerIds)] : undefined;
    if (ids) {
      if (ids.length === 0 || ids.length > MAX_INCREMENTAL_CUSTOMERS) {
        throw new BadRequestException(`give from 1 to ${MAX_INCREMENTAL_CUSTOMERS} customers`);
      }
      if (meta && options.year !== undefined && options.year !== meta.year) {
        throw new BadRequestException(`the table holds ${meta.year}; run a full crunch with year ${options.year} to switch years`);
      }
      const found = await this.customers.find({ customer_id: { $in: ids } }, { customer_id: 1, _id: 0 }).lean();
      if (found.length !== ids.length) {
        const known = new Set(found.map((c) => c.customer_id));
        throw new NotFoundException(`unknown customer_id: ${ids.filter((id) => !known.has(id)).join(', ')}`);
      }
    }
    const year = options.year ?? meta?.year ?? GENERATOR_DEFAULTS.year;
    const scope: CrunchScope = { year, customerIds: ids };
    const started = process.hrtime.bigint();

    const orderCount = await this.orders.countDocuments(ordersInScope(scope));
    const ordersBar = progress.phase(`crunch ${year}: orders → cells`, orderCount, 'orders');
    if (ids) {
      await this.connection.collection(COLLECTIONS.spendingCells).deleteMany({ _id: { $in: ids as never[] } });
      await this.aggregate(this.orders, [...cellsPipeline(scope), mergeInto(COLLECTIONS.spendingCells)]);
    } else {
      await this.aggregate(this.orders, [...cellsPipeline(scope), { $out: COLLECTIONS.spendingCells }]);
    }
    ordersBar.tick(orderCount);
    ordersBar.done();

    const customerCount = ids ? ids.length : await this.customers.estimatedDocumentCount();
    const customersBar = progress.phase(`crunch ${year}: customers → ${COLLECTIONS.spending}`, customerCount, 'customers');
    await this.aggregate(this.customers, [...tablePipeline(scope), ids ? mergeInto(COLLECTIONS.spending) : { $out: COLLECTIONS.spending }]);
    customersBar.tick(customerCount);
    customersBar.done();

    if (!ids || !meta) await this.data.saveMeta(year);
    if (ids) await this.cache.invalidate(SPENDING_CACHE_NS, ids);
    else await this.data.forgetAllSpending();

    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      mode: ids ? 'incremental' : 'full',
      year,
      customers: customerCount,
      orders: orderCount,
      seconds: Math.round(seconds * 1000) / 1000,
      ordersPerSecond: Math.round(orderCount / Math.max(seconds, 1e-3)),
      customersPerSecond: Math.round(customerCount / Math.max(seconds, 1e-3)),
    };
  }

  private async aggregate<T>(model: Model<T>, pipeline: PipelineStage[]): Promise<void> {
    await model.aggregate(pipeline).option({ allowDiskUse: true }).exec();
  }
}

function mergeInto(collection: string): PipelineStage {
  return { $merge: { into: collection, on: '_id', whenMatched: 'replace', whenNotMatched: 'insert' } };
}
