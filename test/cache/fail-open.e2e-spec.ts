import Redis from 'ioredis';
import { startRedisServer } from '../../src/infra/embedded/redis-server';
import type { RunningServer } from '../../src/infra/embedded/mongo-standin';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

/** This suite stops and restarts its own redis-server, so it does not share the harness's. */
describe('shared cache: fails open when Redis is down', () => {
  let ctx: TestContext;
  let redis: RunningServer;
  let port: number;
  let api: TestApp;
  let id: string;

  const redisState = async () => (await api.http.get('/health')).body.redis as string;

  /** Every request must answer 200 from MongoDB, and none may hang on Redis. */
  async function getAll(path: string, times: number) {
    const results = [];
    for (let i = 0; i < times; i++) {
      const started = Date.now();
      const res = await api.http.get(path);
      results.push({ status: res.status, ms: Date.now() - started, cache: res.headers['x-cache'], body: res.body });
    }
    return results;
  }

  beforeAll(async () => {
    ctx = await createTestContext('fail-open');
    redis = await startRedisServer();
    port = Number(new URL(redis.uri).port);
    api = await ctx.startApp({ DEMO_ROUTES: true, REDIS_URL: redis.uri, CACHE_REDIS_TIMEOUT_MS: 100 });
    id = (await seedDemo(api.http, 5))[0]._id;
  });
  afterAll(async () => {
    await ctx.close();
    await redis.stop();
  });

  it('serves from MongoDB while Redis is stopped, reports it down, and resumes caching when it returns', async () => {
    await api.http.get(`/demo/items/${id}`).expect(200);
    expect((await api.http.get(`/demo/items/${id}`)).headers['x-cache']).toBe('HIT');

    await redis.stop();
    expect(await eventually(async () => (await redisState()) === 'down', 5000)).toBe(true);
    const during = await getAll(`/demo/items/${id}`, 10);
    expect(during.map((r) => r.status)).toEqual(Array(10).fill(200));
    // L1 is bypassed while invalidations could be missed, so these come from MongoDB.
    expect(new Set(during.map((r) => r.cache))).toEqual(new Set(['MISS']));
    expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(1000);
    const health = await api.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', mongo: 'up', redis: 'down' });

    redis = await startRedisServer({ port });
    expect(await eventually(async () => (await redisState()) === 'up', 10_000, 100)).toBe(true);
    await api.http.get(`/demo/items/${id}`).expect(200);
    const resumed = await api.http.get(`/demo/items/${id}`).expect(200);
    expect(resumed.headers['x-cache']).toBe('HIT');
  });

  it('stops waiting on a Redis that hangs, and replays the invalidations it missed when Redis answers again', async () => {
    const direct = new Redis(redis.uri);
    await api.http.get(`/demo/items/${id}`).expect(200);
    expect(await direct.exists(`demo:id:${id}`)).toBe(1);

    process.kill(redis.pid, 'SIGSTOP');
    try {
      const during = await getAll(`/demo/items/${id}`, 8);
      expect(during.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(1000);
      // A write while Redis hangs succeeds; its invalidation is queued.
      await api.http.patch(`/demo/items/${id}`).set(adminAuth).send({ name: 'written during the outage' }).expect(200);
      const read = await api.http.get(`/demo/items/${id}`).expect(200);
      expect(read.body.name).toBe('written during the outage');
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }

    // The stale entry that Redis still held is removed once it answers again.
    expect(await eventually(async () => (await direct.exists(`demo:id:${id}`)) === 0, 10_000, 100)).toBe(true);
    const after = await eventually(
      async () => {
        const res = await api.http.get(`/demo/items/${id}`);
        return res.headers['x-cache'] === 'HIT' ? res : undefined;
      },
      10_000,
      100,
    );
    expect(after?.body.name).toBe('written during the outage');
    direct.disconnect();
  });
});
