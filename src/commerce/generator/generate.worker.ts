/**
 * Worker thread of `commerce generate`: takes chunk numbers from the main thread, generates each
 * chunk's customers, carts and orders (a pure function of seed and chunk) and inserts them itself,
 * in batched unordered insertMany calls on its own connection, so both cores build and serialize documents.
 */
import { mongo, Types } from 'mongoose';
import { parentPort, workerData } from 'node:worker_threads';
import { COLLECTIONS } from '../commerce.constants';
import { generateChunk } from './dataset';
import type { ChunkDocs, GenerateSpec, ProductRef } from './dataset-spec';

export interface WorkerInput {
  uri: string;
  dbName: string;
  spec: GenerateSpec;
  products: ProductRef[];
  batchSize: number;
}

export type MainToWorker = { chunk: number } | { stop: true };
export type WorkerToMain =
  { kind: 'ready' } | { kind: 'inserted'; customers: number; carts: number; orders: number } | { kind: 'failed'; message: string };

async function main() {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  const client = await mongo.MongoClient.connect(input.uri, { maxPoolSize: 4 });
  const db = client.db(input.dbName);
  const productIds = input.products.map((p) => new Types.ObjectId(p.id));
  let buffer: ChunkDocs = { customers: [], carts: [], orders: [] };
  const size = () => buffer.customers.length + buffer.carts.length + buffer.orders.length;

  const flush = async () => {
    const batch = buffer;
    buffer = { customers: [], carts: [], orders: [] };
    const insert = (name: string, docs: Record<string, unknown>[]) =>
      docs.length ? db.collection(name).insertMany(docs, { ordered: false }) : undefined;
    // Orders last: a reader never finds an order whose cart is not there yet.
    await Promise.all([insert(COLLECTIONS.customers, batch.customers), insert(COLLECTIONS.carts, batch.carts)]);
    await insert(COLLECTIONS.orders, batch.orders);
    port.postMessage({
      kind: 'inserted',
      customers: batch.customers.length,
      carts: batch.carts.length,
      orders: batch.orders.length,
    } satisfies WorkerToMain);
  };

  port.on('message', (message: MainToWorker) => {
    void (async () => {
      try {
        if ('stop' in message) {
          if (size() > 0) await flush();
          await client.close();
          port.close();
          return;
        }
        const docs = generateChunk(input.spec, message.chunk, input.products, productIds);
        buffer.customers.push(...docs.customers);
        buffer.carts.push(...docs.carts);
        buffer.orders.push(...docs.orders);
        if (size() >= input.batchSize) await flush();
        port.postMessage({ kind: 'ready' } satisfies WorkerToMain);
      } catch (error) {
        port.postMessage({ kind: 'failed', message: (error as Error).message } satisfies WorkerToMain);
        await client.close().catch(() => undefined);
        port.close();
      }
    })();
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerToMain);
}

void main().catch((error: Error) => parentPort?.postMessage({ kind: 'failed', message: error.message } satisfies WorkerToMain));
