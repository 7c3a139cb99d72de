import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import { Connection, Model, PipelineStage } from 'mongoose';
import { CacheInvalidator } from '../../infra/cache';
import { COLLECTIONS, GENERATOR_DEFAULTS, SPENDING_NS } from '../commerce.constants';
import { CommerceDataService } from '../commerce-data.service';
import { ProgressSink, silentProgress } from '../progress-sink';
import { Customer } from '../schemas/customer.schema';
import { Order } from '../schemas/order.schema';
import { cellsPipeline, CrunchScope, ordersInScope, tablePipeline } from './spending.pipeline';

export interface CrunchOptions {
  year?: number;
  /** Recompute only these customers (by customer_id); the table keeps its other rows. */
  customerIds?: string[];
  /** Customers per aggregation of a full rebuild (default CRUNCH_BATCH_CUSTOMERS). */
  batchSize?: number;
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
/** Customers per aggregation of a full rebuild. */
export const CRUNCH_BATCH_CUSTOMERS = 5_000;

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
    private readonly cache: CacheInvalidator,
  ) {}

  crunch(options: CrunchOptions = {}, progress: ProgressSink = silentProgress): Promise<CrunchSummary> {
    const run = this.queue.then(() => this.run(options, progress));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Checks the options against the data (400 / 404), so a caller can refuse before starting a job; returns the scope. */
  async resolveScope(options: CrunchOptions): Promise<CrunchScope & { tableYear?: number }> {
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
    return { year: options.year ?? meta?.year ?? GENERATOR_DEFAULTS.year, customerIds: ids, tableYear: meta?.year };
  }

  private async run(options: CrunchOptions, progress: ProgressSink): Promise<CrunchSummary> {
    const { tableYear, ...scope } = await this.resolveScope(options);
    const { year, customerIds: ids } = scope;
    const started = process.hrtime.bigint();

    const orderCount = await this.orders.countDocuments(ordersInScope(scope));
    let customerCount: number;
    if (ids) {
      const bar = progress.phase(`crunch ${year}: ${ids.length} customers`, ids.length, 'customers');
      await this.connection.collection(COLLECTIONS.spendingCells).deleteMany({ _id: { $in: ids as never[] } });
      await this.aggregate(this.orders, [...cellsPipeline(scope), mergeInto(COLLECTIONS.spendingCells)]);
      await this.aggregate(this.customers, [...tablePipeline(scope), mergeInto(COLLECTIONS.spending)]);
      bar.tick(ids.length);
      bar.done();
      customerCount = ids.length;
    } else {
      customerCount = await this.rebuild(year, options.batchSize ?? CRUNCH_BATCH_CUSTOMERS, progress);
    }
    if (!ids || tableYear === undefined) await this.data.saveMeta(year);
    if (ids) await this.cache.invalidate(SPENDING_NS, ids);
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

  /**
   * Full rebuild in batches of customers (by customer_id range): each batch's pipelines $merge
   * into a fresh cells collection and a shadow table, which then replaces the table in one
   * rename, so readers see the old table or the new one. Batches bound the memory of each
   * aggregation (the stand-in holds a stage's whole output in memory) and give progress.
   */
  private async rebuild(year: number, batchSize: number, progress: ProgressSink): Promise<number> {
    const db = this.connection.db!;
    const shadow = COLLECTIONS.spendingShadow;
    await Promise.all([COLLECTIONS.spendingCells, shadow].map((name) => db.dropCollection(name).catch(() => undefined)));
    const bounds = await this.batchBounds(batchSize);
    const total = await this.customers.estimatedDocumentCount();
    const bar = progress.phase(`crunch ${year}: customers → ${COLLECTIONS.spending}`, total, 'customers');
    for (let i = 0; i < bounds.length; i++) {
      const scope: CrunchScope = { year, range: { from: bounds[i], to: bounds[i + 1] } };
      await this.aggregate(this.orders, [...cellsPipeline(scope), mergeInto(COLLECTIONS.spendingCells)]);
      await this.aggregate(this.customers, [...tablePipeline(scope), mergeInto(shadow)]);
      bar.tick(i + 1 < bounds.length ? batchSize : total - i * batchSize);
    }
    bar.done();
    if (bounds.length === 0) await db.dropCollection(COLLECTIONS.spending).catch(() => undefined);
    else await db.renameCollection(shadow, COLLECTIONS.spending, { dropTarget: true });
    return total;
  }

  /** The first customer_id of every batch, in order (one streamed, projected read of the unique index's key). */
  private async batchBounds(size: number): Promise<string[]> {
    const bounds: string[] = [];
    let n = 0;
    const cursor = this.customers.collection
      .find({}, { projection: { _id: 0, customer_id: 1 } })
      .sort({ customer_id: 1 })
      .batchSize(10_000);
    for await (const doc of cursor) if (n++ % size === 0) bounds.push(doc.customer_id as string);
    return bounds;
  }

  private async aggregate<T>(model: Model<T>, pipeline: PipelineStage[]): Promise<void> {
    await model.aggregate(pipeline).option({ allowDiskUse: true }).exec();
  }
}

function mergeInto(collection: string): PipelineStage {
  return { $merge: { into: collection, on: '_id', whenMatched: 'replace', whenNotMatched: 'insert' } };
}
