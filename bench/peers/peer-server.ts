/**
 * A peer of our cache for `npm run bench:peers`: a bare Fastify server (no Nest) serving the same
 * demo list from the same MongoDB collection, cached by a library a NestJS team would pick instead.
 * Run as its own process; configured by environment:
 *   PEER        bentocache | cacheable | constant (the same bytes, pre-serialized: the physical ceiling)
 *               | compress (the constant bytes through @fastify/compress, compressed per request)
 *   PEER_STORE  string (cache the JSON text) | object (cache the documents, serialize per request)
 *   PEER_TIERS  l1+l2 (memory in front of Redis) | l2 (Redis only)
 *   MONGODB_URI, MONGODB_DB, REDIS_URL, PORT
 * Routes mirror the app's demo routes: GET /items?page=&limit=, GET /items/:id, PUT /items/:id
 * (MongoDB update, then the library's delete), DELETE /cache/:key (`list:<page>:<limit>` or
 * `id:<id>`), GET /constant, GET /health.
 */
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Cacheable } from 'cacheable';
import KeyvRedis from '@keyv/redis';
import Fastify from 'fastify';
import mongoose from 'mongoose';

const TTL_MS = 120_000; // the app's default CACHE_TTL_SECONDS
const COLLECTION = 'demo_items';

interface Peer {
  getOrSet<T>(key: string, load: () => Promise<T>): Promise<T>;
  delete(key: string): Promise<unknown>;
}

function redisOptions(url: string) {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

function bentocachePeer(tiers: string, redisUrl: string): Peer {
  const connection = redisOptions(redisUrl);
  const store =
    tiers === 'l2'
      ? bentostore().useL2Layer(redisDriver({ connection }))
      : bentostore()
          .useL1Layer(memoryDriver({ maxSize: '256mb' }))
          .useL2Layer(redisDriver({ connection }))
          .useBus(redisBusDriver({ connection }));
  const bento = new BentoCache({ default: 'cache', stores: { cache: store } });
  return {
    getOrSet: (key, load) => bento.getOrSet({ key, factory: load, ttl: TTL_MS }),
    delete: (key) => bento.delete({ key }),
  };
}

function cacheablePeer(tiers: string, redisUrl: string): Peer {
  const redis = new KeyvRedis(redisUrl);
  const cache = tiers === 'l2' ? new Cacheable({ primary: redis, ttl: TTL_MS }) : new Cacheable({ secondary: redis, ttl: TTL_MS });
  return {
    getOrSet: async (key, load) => (await cache.getOrSet(key, load))!,
    delete: (key) => cache.delete(key),
  };
}

async function main() {
  const env = process.env;
  const kind = env.PEER ?? 'constant';
  const asString = (env.PEER_STORE ?? 'string') === 'string';
  const tiers = env.PEER_TIERS ?? 'l1+l2';
  const connection = await mongoose.createConnection(env.MONGODB_URI!, { dbName: env.MONGODB_DB }).asPromise();
  const items = connection.db!.collection(COLLECTION);

  const listPage = async (page: number, limit: number) => {
    const [docs, total] = await Promise.all([
      items
        .find()
        .sort({ _id: 1 })
        .skip((page - 1) * limit)
        .limit(limit)
        .toArray(),
      items.countDocuments(),
    ]);
    // `_id` first, as the API's views put it (the stored order depends on how the seed inserted).
    return { items: docs.map(({ _id, ...fields }) => ({ _id, ...fields })), total, page, limit };
  };
  const peer =
    kind === 'bentocache' ? bentocachePeer(tiers, env.REDIS_URL!) : kind === 'cacheable' ? cacheablePeer(tiers, env.REDIS_URL!) : undefined;
  // What the cache holds: the JSON text, or the documents themselves (serialized on every hit).
  // Each store mode under its own prefix: a text entry read back as an object would flatter it.
  const prefix = asString ? 'items-text' : 'items-object';
  const cached = (key: string, load: () => Promise<unknown>) =>
    peer!.getOrSet<unknown>(`${prefix}:${key}`, asString ? async () => JSON.stringify(await load()) : load);

  let constant = Buffer.from(JSON.stringify(await listPage(1, 100)));
  const app = Fastify({ logger: false });
  if (kind === 'compress') await app.register((await import('@fastify/compress')).default, { threshold: 1024 });
  const json = 'application/json; charset=utf-8';
  app.get('/health', async () => ({ ok: true }));
  app.get('/constant', (_request, reply) => void reply.header('content-type', json).send(constant));
  app.post('/constant/reload', async () => {
    constant = Buffer.from(JSON.stringify(await listPage(1, 100)));
    return { bytes: constant.length };
  });
  if (peer) {
    app.get<{ Querystring: { page?: string; limit?: string } }>('/items', async (request, reply) => {
      const page = Math.max(1, Number(request.query.page ?? 1) || 1);
      const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 20) || 20));
      const body = await cached(`list:${page}:${limit}`, () => listPage(page, limit));
      return asString ? reply.header('content-type', json).send(body) : body;
    });
    app.get<{ Params: { id: string } }>('/items/:id', async (request, reply) => {
      const id = request.params.id;
      if (!mongoose.isObjectIdOrHexString(id)) return reply.code(400).send({ error: 'bad id' });
      const body = await cached(`id:${id}`, () => items.findOne({ _id: new mongoose.Types.ObjectId(id) }));
      return asString ? reply.header('content-type', json).send(body) : body;
    });
    app.put<{ Params: { id: string }; Body: { name?: string } }>('/items/:id', async (request, reply) => {
      const id = request.params.id;
      if (!mongoose.isObjectIdOrHexString(id) || typeof request.body?.name !== 'string')
        return reply.code(400).send({ error: 'bad input' });
      await items.updateOne({ _id: new mongoose.Types.ObjectId(id) }, { $set: { name: request.body.name } });
      await peer.delete(`${prefix}:id:${id}`);
      return { ok: true };
    });
    app.delete<{ Params: { key: string } }>('/cache/:key', async (request) => ({
      deleted: await peer.delete(`${prefix}:${request.params.key}`),
    }));
  }
  await app.listen({ host: '127.0.0.1', port: Number(env.PORT ?? 0) });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
