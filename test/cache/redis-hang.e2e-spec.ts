/**
 * Redis hung (SIGSTOP) during a write, with two instances: the pipeline timeouts must open the
 * breaker, readiness must say so, the write's invalidation must land and reach every instance
 * once Redis answers again, and no instance may serve the old value longer than the bound.
 */
import Redis from 'ioredis';
import { startRedisServer } from '../../src/infra/embedded/redis-server';
import type { RunningServer } from '../../src/infra/embedded/mongo-standin';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

const REDIS_TIMEOUT_MS = 100;
const COHERENCE_WINDOW_MS = 1000;

describe('shared cache: Redis hung during a write, two instances', () => {
  let ctx: TestContext;
  let redis: RunningServer;
  let a: TestApp;
  let b: TestApp;
  let ids: string[];
  let hung = false;

  const hang = () => {
    process.kill(redis.pid, 'SIGSTOP');
    hung = true;
  };
  const resume = () => {
    if (hung) process.kill(redis.pid, 'SIGCONT');
    hung = false;
  };

  beforeAll(async () => {
    ctx = await createTestContext('redis-hang');
    redis = await startRedisServer();
    const overrides = {
      DEMO_ROUTES: true,
      REDIS_URL: redis.uri,
      CACHE_REDIS_TIMEOUT_MS: REDIS_TIMEOUT_MS,
      CACHE_COHERENCE_WINDOW_MS: COHERENCE_WINDOW_MS,
    };
    a = await ctx.startApp(overrides);
    b = await ctx.startApp(overrides);
    ids = (await seedDemo(a.http, 10)).map((item) => item._id);
  });
  afterEach(resume);
  afterAll(async () => {
    resume();
    await ctx.close();
    await redis.stop();
  });

  it('pipeline timeouts open the breaker and /health/ready reports Redis down while it hangs', async () => {
    expect((await a.http.get('/health/ready').expect(200)).body).toMatchObject({ redis: 'up', breaker: 'closed' });
    hang();
    // Misses read Redis through one pipeline; each of these times out command by command.
    for (const page of [2, 3, 4, 5]) await a.http.get('/demo/items').query({ page, limit: 1 }).expect(200);
    const ready = await a.http.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', mongo: 'up', redis: 'down', breaker: 'open' });
    expect((await a.http.get('/health/live').expect(200)).body.status).toBe('ok');
    resume();
    const back = await eventually(async () => (await a.http.get('/health/ready')).body.redis === 'up', 10_000, 50);
    expect(back).toBe(true);
  });

  it('after SIGCONT every instance serves the value written during the hang within the bound', async () => {
    const id = ids[0];
    const path = `/demo/items/${id}`;
    // Both instances hold the item in L1 (once they trust Redis again after the previous test).
    for (const api of [a, b]) {
      const warm = await eventually(async () => (await api.http.get(path)).headers['x-cache-tier'] === 'l1', 10_000, 50);
      expect(warm).toBe(true);
    }

    hang();
    await a.http.patch(path).set(adminAuth).send({ name: 'written during the hang' }).expect(200);
    const acknowledgedAt = Date.now();
    // B cannot hear of the write while Redis hangs; it must stop trusting its L1 copy within the window.
    const newOnB = await eventually(async () => (await b.http.get(path)).body.name === 'written during the hang', 10_000, 20);
    const duringHangMs = Date.now() - acknowledgedAt;
    expect(newOnB).toBe(true);
    expect(duringHangMs).toBeLessThan(COHERENCE_WINDOW_MS + 2000);

    resume();
    const resumedAt = Date.now();
    // Read both instances until each has answered the new value 20 times in a row; note the last old answer.
    let lastOldAt = resumedAt;
    const streak = new Map([
      [a, 0],
      [b, 0],
    ]);
    const deadline = resumedAt + 15_000;
    while ([...streak.values()].some((n) => n < 20) && Date.now() < deadline) {
      for (const api of [a, b]) {
        const res = await api.http.get(path).expect(200);
        if (res.body.name === 'written during the hang') streak.set(api, streak.get(api)! + 1);
        else {
          streak.set(api, 0);
          lastOldAt = Date.now();
        }
      }
    }
    const afterResumeMs = lastOldAt - resumedAt;
    console.log(JSON.stringify({ staleness: 'redis hang', duringHangMs, afterResumeMs }));
    expect([...streak.values()]).toEqual([20, 20]);
    expect(afterResumeMs).toBeLessThan(1000);

    // The entry the hang left in Redis was removed by the replayed invalidation, then refilled with the new value.
    const direct = new Redis(redis.uri);
    const stored = await direct.get(`demo:id:${id}`);
    direct.disconnect();
    expect(stored === null || JSON.parse(stored).name === 'written during the hang').toBe(true);
  });
});
