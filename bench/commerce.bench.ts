/**
 * `npm run bench:commerce [-- --scales 1,100]`: the commerce generator and crunch at the original
 * generator's scale (800 customers × up to 6 orders) and at 100× (80,000 customers), on one MongoDB.
 * Side by side in the same run: the stand-in's raw insert rate and the generator's single-thread
 * generation rate (what bounds `generate`), and incremental crunch for 1 and 10 customers
 * against the full rebuild (its cost should follow the customers, not the dataset).
 * The last line is one JSON object of figures. Flags: --scales 1,100 (multiples of the original
 * generator's 800 customers; COMMERCE_BENCH_SCALES too), --heap 6g (the stand-in's JVM heap).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mongo, Types } from 'mongoose';
import { availableParallelism } from 'node:os';
import { AppModule } from '../src/app.module';
import { GENERATOR_DEFAULTS } from '../src/commerce/commerce.constants';
import { CommerceDataService } from '../src/commerce/commerce-data.service';
import { CrunchService } from '../src/commerce/crunch/crunch.service';
import { generateChunk, generateProducts } from '../src/commerce/generator/dataset';
import { chunkCount } from '../src/commerce/generator/dataset-spec';
import { GeneratorService } from '../src/commerce/generator/generator.service';
import { validateEnv } from '../src/config/env';
import { ratio } from './lib/load';
import { mongodBinary } from '../src/infra/embedded/mongod';
import { RunningServer, startMongoStandin } from '../src/infra/embedded/mongo-standin';
import { startBenchServers } from './lib/servers';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/** Documents per second of the pure generation code on this thread (no MongoDB). */
function generationRate(customers: number): number {
  const spec = { seed: 1, customers, maxOrders: GENERATOR_DEFAULTS.maxOrders, products: GENERATOR_DEFAULTS.products, year: 2025 };
  const { refs } = generateProducts(spec);
  const ids = refs.map((r) => new Types.ObjectId(r.id));
  const start = process.hrtime.bigint();
  let docs = 0;
  for (let chunk = 0; chunk < chunkCount(customers); chunk++) {
    const out = generateChunk(spec, chunk, refs, ids);
    docs += out.customers.length + out.carts.length + out.orders.length;
  }
  return Math.round(docs / seconds(start));
}

/** The stand-in's own insert rate for cart-like documents, 5k per insertMany, one connection. */
async function rawInsertRate(uri: string, count: number): Promise<number> {
  const client = await mongo.MongoClient.connect(uri);
  try {
    const collection = client.db('commerce_bench_raw').collection('carts');
    await collection.drop().catch(() => undefined);
    const docs = Array.from({ length: count }, (_, i) => ({
      customer_id: new Types.ObjectId().toHexString(),
      products: [{ product_id: new Types.ObjectId(), price: 12.34, quantity: 1 + (i % 3) }],
      amount: 12.34,
    }));
    const start = process.hrtime.bigint();
    for (let i = 0; i < docs.length; i += 5000) await collection.insertMany(docs.slice(i, i + 5000), { ordered: false });
    const rate = Math.round(count / seconds(start));
    await client.db('commerce_bench_raw').dropDatabase();
    return rate;
  } finally {
    await client.close();
  }
}

interface ScaleFigures {
  scale: number;
  customers: number;
  documents: number;
  orders: number;
  generate_s: number;
  generate_docs_per_s: number;
  crunch_s: number;
  crunch_orders_per_s: number;
  crunch_rows_per_s: number;
  incremental_1_ms: number;
  incremental_10_ms: number;
}

async function runScale(mongodbUri: string, redisUrl: string, scale: number): Promise<ScaleFigures> {
  const customers = GENERATOR_DEFAULTS.customers * scale;
  const env = validateEnv({ MONGODB_URI: mongodbUri, MONGODB_DB: `commerce_bench_${scale}x`, REDIS_URL: redisUrl, LOG_LEVEL: 'warn' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(env), { logger: ['error', 'warn'] });
  try {
    const generator = app.get(GeneratorService);
    const crunch = app.get(CrunchService);
    console.log(`\n== ${scale}×: ${customers} customers, up to ${GENERATOR_DEFAULTS.maxOrders} orders each ==`);
    const generated = await generator.generate({ customers, reset: true });
    console.log(
      `generate: ${generated.documents} documents (${generated.inserted.orders} orders) in ${generated.seconds} s = ${generated.documentsPerSecond} docs/s, ${generated.workers} workers`,
    );
    const full = await crunch.crunch({ year: generated.spec.year });
    console.log(`crunch (full): ${full.orders} orders → ${full.customers} rows in ${full.seconds} s`);

    const connection = (await mongo.MongoClient.connect(mongodbUri)).db(env.MONGODB_DB!);
    const ids = (
      await connection
        .collection('customers')
        .find({}, { projection: { customer_id: 1 } })
        .limit(10)
        .toArray()
    ).map((c) => c.customer_id as string);
    const one = await crunch.crunch({ customerIds: ids.slice(0, 1) });
    const ten = await crunch.crunch({ customerIds: ids });
    console.log(`crunch (incremental): 1 customer ${round(one.seconds * 1000, 1)} ms, 10 customers ${round(ten.seconds * 1000, 1)} ms`);
    await connection.client.close();
    await app.get(CommerceDataService).reset(); // leave the server lean for the next scale
    return {
      scale,
      customers,
      documents: generated.documents,
      orders: generated.inserted.orders,
      generate_s: generated.seconds,
      generate_docs_per_s: generated.documentsPerSecond,
      crunch_s: full.seconds,
      crunch_orders_per_s: full.ordersPerSecond,
      crunch_rows_per_s: full.customersPerSecond,
      incremental_1_ms: round(one.seconds * 1000, 1),
      incremental_10_ms: round(ten.seconds * 1000, 1),
    };
  } finally {
    await app.close();
  }
}

async function main() {
  const scales = (flag('scales') ?? process.env.COMMERCE_BENCH_SCALES ?? '1,100').split(',').map(Number);
  if (scales.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('--scales takes whole numbers ≥ 1, e.g. 1,100');
  // The shared bench servers run the stand-in with an oplog (every insert kept again in memory) and
  // a 2 GB heap: at 100× (~580k documents) it then spends its time collecting garbage. This
  // benchmark needs neither change streams nor that ceiling, so it starts its own stand-in.
  let ownMongo: RunningServer | undefined;
  if (!process.env.MONGODB_URI && !mongodBinary()) {
    ownMongo = await startMongoStandin({ oplog: false, maxHeap: flag('heap') ?? '6g' });
    process.env.MONGODB_URI = ownMongo.uri;
  }
  const servers = await startBenchServers();
  if (ownMongo) servers.mongoKind = `mongo-java-server stand-in (no oplog, ${flag('heap') ?? '6g'} heap)`;
  try {
    console.log(`MongoDB: ${servers.mongoKind}; ${availableParallelism()} cores`);
    const genRate = generationRate(GENERATOR_DEFAULTS.customers * 5);
    const insertRate = await rawInsertRate(servers.mongodbUri, 50_000);
    console.log(`single-thread generation: ${genRate} docs/s; raw stand-in insertMany (5k batches, 1 connection): ${insertRate} docs/s`);
    const results: ScaleFigures[] = [];
    for (const scale of scales) results.push(await runScale(servers.mongodbUri, servers.redisUrl, scale));
    console.table(results);

    const base = results[0];
    const top = results[results.length - 1];
    const figures = {
      bench: 'commerce',
      mongo: servers.mongoKind,
      cores: availableParallelism(),
      single_thread_generation_docs_per_s: genRate,
      raw_insert_docs_per_s: insertRate,
      ...Object.fromEntries(
        results.flatMap((r) =>
          Object.entries(r)
            .filter(([k]) => k !== 'scale')
            .map(([k, v]) => [`${r.scale}x_${k}`, v]),
        ),
      ),
      generate_over_raw_insert: ratio(top.generate_docs_per_s, insertRate),
      ...(results.length > 1
        ? {
            generate_time_ratio: ratio(top.generate_s, base.generate_s),
            crunch_time_ratio: ratio(top.crunch_s, base.crunch_s),
            data_ratio: ratio(top.documents, base.documents),
            incremental_1_time_ratio: ratio(top.incremental_1_ms, base.incremental_1_ms),
          }
        : {}),
      full_over_incremental_1: ratio(top.crunch_s * 1000, top.incremental_1_ms),
    };
    console.log(JSON.stringify(figures));
  } finally {
    await servers.stop();
    await ownMongo?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
