/**
 * MongoDB hung (SIGSTOP: sockets open, nothing answers) under a serving instance, issue #24 item 4.
 * For the whole hang, routes that need MongoDB answer 503 quickly (the shared error body and a
 * Retry-After), routes this instance holds in its cache keep answering, and readiness says MongoDB
 * is down; after SIGCONT everything works again. This suite hangs its own MongoDB stand-in.
 */
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DemoItem } from '../../src/cache-demo/schemas/demo-item.schema';
import { RunningServer, startMongoStandin } from '../../src/infra/embedded/mongo-standin';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

/** Issue #24 item 4's bound for an uncached route during a hang. */
const FAST_503_MS = 1000;
const HANG_MS = 20_000;

describe('faults: MongoDB hung (SIGSTOP) under a serving instance', () => {
  let ctx: TestContext;
  let mongo: RunningServer;
  let api: TestApp;
  let items: { _id: string; name: string }[];
  let hung = false;

  const resume = () => {
    if (hung) process.kill(mongo.pid, 'SIGCONT');
    hung = false;
  };

  beforeAll(async () => {
    ctx = await createTestContext('faults-hung-mongo');
    mongo = await startMongoStandin({ oplog: false, maxHeap: '256m' });
    api = await ctx.startApp({ DEMO_ROUTES: true, MONGODB_URI: mongo.uri });
    items = await seedDemo(api.http, 12);
  });
  afterAll(async () => {
    resume();
    await ctx.close();
    await mongo.stop();
  });

  /** One request, timed from sending to the whole answer. */
  const timed = async (send: () => PromiseLike<{ status: number; headers: Record<string, string>; body: unknown }>) => {
    const started = performance.now();
    const res = await send();
    return { res, ms: performance.now() - started };
  };

  it(
    'answers 503 within 1 s where nothing is cached, keeps serving what is cached, and recovers after SIGCONT',
    async () => {
      const cachedPath = `/demo/items/${items[0]._id}`;
      const cached = await api.http.get(cachedPath).expect(200);
      expect((await api.http.get(cachedPath).expect(200)).headers['x-cache']).toBe('HIT');
      expect((await api.http.get('/health/ready').expect(200)).body.mongo).toBe('up');

      process.kill(mongo.pid, 'SIGSTOP');
      hung = true;
      const hungAt = performance.now();

      // Through the whole hang: a different uncached item each round (a read), an uncached list
      // page and a write, each must fail fast; the cached item must keep answering from the cache.
      const slowest = { read: 0, list: 0, write: 0, cached: 0 };
      let round = 0;
      while (performance.now() - hungAt < HANG_MS) {
        const uncached = items[1 + (round % (items.length - 1))];
        const read = await timed(() => api.http.get(`/demo/items/${uncached._id}`).query({ round }));
        const list = await timed(() => api.http.get('/demo/items').query({ page: 2 + round, limit: 1 }));
        const write = await timed(() =>
          api.http
            .patch(`/demo/items/${uncached._id}`)
            .set(adminAuth)
            .send({ name: `written during the hang ${round}` }),
        );
        const hit = await timed(() => api.http.get(cachedPath));
        slowest.read = Math.max(slowest.read, read.ms);
        slowest.list = Math.max(slowest.list, list.ms);
        slowest.write = Math.max(slowest.write, write.ms);
        slowest.cached = Math.max(slowest.cached, hit.ms);
        expect(slowest.read).toBeLessThan(FAST_503_MS);
        expect(slowest.list).toBeLessThan(FAST_503_MS);
        expect(slowest.write).toBeLessThan(FAST_503_MS);
        for (const { res } of [read, list, write]) {
          expect(res.status).toBe(503);
          expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', path: expect.any(String) });
          expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        }
        expect(hit.res.status).toBe(200);
        expect(hit.res.headers['x-cache']).toBe('HIT');
        expect(hit.res.body).toEqual(cached.body);
        round++;
      }
      const ready = await api.http.get('/health/ready');
      console.log(JSON.stringify({ fault: 'mongo hung', rounds: round, slowestMs: slowest, ready: ready.body }));
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'error', mongo: 'down' });
      expect((await api.http.get('/health/live').expect(200)).body.status).toBe('ok');

      resume();
      const resumedAt = performance.now();
      const uncachedPath = `/demo/items/${items[1]._id}`;
      const back = await eventually(async () => (await api.http.get(uncachedPath)).status === 200, 20_000, 50);
      const recoveredMs = performance.now() - resumedAt;
      console.log(JSON.stringify({ fault: 'mongo hung', recoveredMs }));
      expect(back).toBe(true);
      expect((await api.http.get('/health/ready').expect(200)).body.mongo).toBe('up');
      // Writes work again, and the write's invalidation reaches the cached copy.
      await api.http.patch(cachedPath).set(adminAuth).send({ name: 'after the hang' }).expect(200);
      expect((await api.http.get(cachedPath).expect(200)).body.name).toBe('after the hang');
    },
    HANG_MS + 60_000,
  );

  it('stops the deadline of every operation that answered (else each one’s timer fires later all the same)', async () => {
    const model = api.app.get<Model<DemoItem>>(getModelToken(DemoItem.name));
    const find = model.find({}).limit(1);
    const count = model.countDocuments({});
    const aggregate = model.aggregate([{ $match: {} }, { $limit: 1 }]);
    await Promise.all([find.exec(), count.exec(), aggregate.exec()]);
    const signals = [find.getOptions().signal, count.getOptions().signal, aggregate.options.signal];
    for (const signal of signals) expect(signal).toBeInstanceOf(AbortSignal);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // past MONGODB_OPERATION_TIMEOUT_MS (750)
    expect(signals.map((signal) => signal?.aborted)).toEqual([false, false, false]);
  });
});
