import { BadRequestException, ConflictException, Inject, Injectable } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import { Connection, Model } from 'mongoose';
import { availableParallelism } from 'node:os';
import { ENV } from '../../config/config.module';
import { databaseName, Env } from '../../config/env';
import { GENERATOR_DEFAULTS } from '../commerce.constants';
import { CommerceDataService } from '../commerce-data.service';
import { silentProgress, ProgressSink } from '../progress-sink';
import { Cart } from '../schemas/cart.schema';
import { Customer } from '../schemas/customer.schema';
import { Order } from '../schemas/order.schema';
import { Product } from '../schemas/product.schema';
import { chunkCount, type GenerateSpec } from './dataset-spec';
import type { MainToWorker, WorkerInput, WorkerToMain } from './generate.worker';
import { spawnWorker } from './spawn-worker';

export interface GenerateOptions extends Partial<GenerateSpec> {
  /** Drop existing commerce data first (otherwise existing data is a conflict). */
  reset?: boolean;
  /** Worker threads; default one per core. */
  workers?: number;
}

export interface GenerateSummary {
  spec: GenerateSpec;
  inserted: { products: number; customers: number; carts: number; orders: number };
  documents: number;
  seconds: number;
  documentsPerSecond: number;
  workers: number;
}

/** Documents per insertMany call (the stand-in inserts ~28k/s in 5k batches). */
const BATCH_SIZE = 5000;
export const GENERATE_LIMITS = { customers: 5_000_000, maxOrders: 100, products: 100_000, minYear: 1970, maxYear: 2100 };

@Injectable()
export class GeneratorService {
  constructor(
    @Inject(ENV) private readonly env: Env,
    @InjectConnection() private readonly connection: Connection,
    @InjectModel(Customer.name) private readonly customers: Model<Customer>,
    @InjectModel(Product.name) private readonly products: Model<Product>,
    @InjectModel(Cart.name) private readonly carts: Model<Cart>,
    @InjectModel(Order.name) private readonly orders: Model<Order>,
    private readonly data: CommerceDataService,
  ) {}

  resolveSpec(options: Partial<GenerateSpec>): GenerateSpec {
    const spec: GenerateSpec = {
      seed: options.seed ?? GENERATOR_DEFAULTS.seed,
      customers: options.customers ?? GENERATOR_DEFAULTS.customers,
      maxOrders: options.maxOrders ?? GENERATOR_DEFAULTS.maxOrders,
      products: options.products ?? GENERATOR_DEFAULTS.products,
      year: options.year ?? GENERATOR_DEFAULTS.year,
    };
    const problems: string[] = [];
    const check = (name: string, value: number, min: number, max: number) => {
      if (!Number.isInteger(value) || value < min || value > max) problems.push(`${name} must be a whole number from ${min} to ${max}`);
    };
    check('customers', spec.customers, 0, GENERATE_LIMITS.customers);
    check('maxOrders', spec.maxOrders, 0, GENERATE_LIMITS.maxOrders);
    check('products', spec.products, 1, GENERATE_LIMITS.products);
    check('year', spec.year, GENERATE_LIMITS.minYear, GENERATE_LIMITS.maxYear);
    check('seed', spec.seed, 0, 2 ** 31 - 1);
    if (problems.length) throw new BadRequestException(problems);
    return spec;
  }

  /** Generated ids are derived from the seed, so generating over existing data would collide: refuse (409). */
  async assertEmpty(): Promise<void> {
    const { spending: _, ...existing } = await this.data.counts();
    if (Object.values(existing).some((n) => n > 0)) {
      throw new ConflictException(`commerce data already exists (${JSON.stringify(existing)}); reset it first, or pass reset`);
    }
  }

  async generate(options: GenerateOptions = {}, progress: ProgressSink = silentProgress): Promise<GenerateSummary> {
    const spec = this.resolveSpec(options);
    if (options.reset) await this.data.reset();
    else await this.assertEmpty();
    const started = process.hrtime.bigint();
    // Collections may just have been dropped: their indexes (unique cart per order, ...) come back first.
    await Promise.all([this.customers, this.products, this.carts, this.orders].map((m) => m.createIndexes()));

    const { generateProducts } = await import('./dataset.js'); // faker, loaded on use
    const { docs: productDocs, refs } = generateProducts(spec);
    const productBar = progress.phase('products', productDocs.length, 'docs');
    for (let i = 0; i < productDocs.length; i += BATCH_SIZE) {
      const batch = productDocs.slice(i, i + BATCH_SIZE);
      await this.products.collection.insertMany(batch, { ordered: false });
      productBar.tick(batch.length);
    }
    productBar.done();

    const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), chunkCount(spec.customers) || 1));
    const inserted = { products: productDocs.length, customers: 0, carts: 0, orders: 0 };
    if (spec.customers > 0) {
      const customerBar = progress.phase('customers (+ carts, orders)', spec.customers, 'customers');
      await this.runWorkers(spec, refs, workers, (counts) => {
        inserted.customers += counts.customers;
        inserted.carts += counts.carts;
        inserted.orders += counts.orders;
        customerBar.tick(counts.customers);
      });
      customerBar.done();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const documents = inserted.products + inserted.customers + inserted.carts + inserted.orders;
    return {
      spec,
      inserted,
      documents,
      seconds: Math.round(seconds * 1000) / 1000,
      documentsPerSecond: Math.round(documents / Math.max(seconds, 1e-3)),
      workers,
    };
  }

  /** Hands chunk numbers to whichever worker is free; resolves when every worker has flushed and exited. */
  private runWorkers(
    spec: GenerateSpec,
    products: WorkerInput['products'],
    count: number,
    onInserted: (counts: { customers: number; carts: number; orders: number }) => void,
  ): Promise<void> {
    const input: WorkerInput = {
      uri: this.env.MONGODB_URI!,
      dbName: databaseName(this.env),
      spec,
      products,
      batchSize: BATCH_SIZE,
    };
    const chunks = chunkCount(spec.customers);
    let next = 0;
    return new Promise<void>((resolve, reject) => {
      let running = count;
      let failure: Error | undefined;
      for (let w = 0; w < count; w++) {
        const worker = spawnWorker(__dirname, 'generate.worker', input);
        const send = (message: MainToWorker) => worker.postMessage(message);
        worker.on('message', (message: WorkerToMain) => {
          if (message.kind === 'inserted') onInserted(message);
          else if (message.kind === 'failed') failure ??= new Error(`generator worker failed: ${message.message}`);
          else if (failure || next >= chunks) send({ stop: true });
          else send({ chunk: next++ });
        });
        worker.on('error', (error) => (failure ??= error));
        worker.on('exit', () => {
          if (--running > 0) return;
          if (failure) reject(failure);
          else resolve();
        });
      }
    });
  }
}
