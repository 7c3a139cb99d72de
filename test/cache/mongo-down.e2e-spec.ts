/**
 * MongoDB killed under a running app: cached routes answer their expired copy (stale-if-error),
 * uncached ones answer 503 quickly instead of a 500 after seconds, and all is normal once it is back.
 * This suite kills and restarts its own MongoDB stand-in (persisted to an H2 file), not the shared one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningServer, startMongoStandin } from '../../src/infra/embedded/mongo-standin';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

describe('shared cache: MongoDB unreachable', () => {
  let ctx: TestContext;
  let mongo: RunningServer | undefined;
  let port: number;
  let dataDir: string;
  let api: TestApp;
  let items: { _id: string; name: string }[];

  const startMongo = async () => {
    mongo = await startMongoStandin({ port, oplog: false, maxHeap: '256m', h2File: join(dataDir, 'data.h2') });
    return mongo;
  };

  beforeAll(async () => {
    ctx = await createTestContext('mongo-down');
    dataDir = mkdtempSync(join(tmpdir(), 'cachebook-mongo-down-'));
    port = 0;
    port = Number(new URL((await startMongo()).uri).port);
    api = await ctx.startApp({
      DEMO_ROUTES: true,
      MONGODB_URI: `mongodb://127.0.0.1:${port}/`,
      CACHE_TTL_SECONDS: 1,
      CACHE_FEED_ENABLED: false,
    });
    items = await seedDemo(api.http, 3);
  });
  afterAll(async () => {
    await ctx.close();
    await mongo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves an expired copy as STALE, answers 503 within 1 s where nothing is cached, and recovers', async () => {
    const cachedPath = `/demo/items/${items[0]._id}`;
    const fresh = await api.http.get(cachedPath).expect(200);
    expect(fresh.headers['x-cache']).toBe('MISS');
    expect((await api.http.get(cachedPath).expect(200)).headers['x-cache']).toBe('HIT');
    // Let the entry expire everywhere (1 s TTL): from here on it is a miss, not a hit.
    expect(await eventually(async () => (await ctx.redis.exists(`demo:id:${items[0]._id}`)) === 0, 5000, 50)).toBe(true);

    process.kill(mongo!.pid, 'SIGKILL');
    mongo = undefined;

    const stale = await api.http.get(cachedPath).expect(200);
    expect(stale.headers['x-cache']).toBe('STALE');
    expect(stale.headers.warning).toBe('110 - "Response is Stale"');
    expect(Number(stale.headers.age)).toBeGreaterThanOrEqual(1);
    expect(stale.body).toEqual(fresh.body);

    const timings: number[] = [];
    for (const item of items.slice(1)) {
      const started = Date.now();
      const res = await api.http.get(`/demo/items/${item._id}`);
      timings.push(Date.now() - started);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    }
    // An uncached write-free route fails the same way.
    const list = await api.http.get('/demo/items').query({ page: 7 });
    expect(list.status).toBe(503);
    console.log(JSON.stringify({ mongoDown: 'uncached', ms: timings }));
    expect(Math.max(...timings)).toBeLessThan(1000);
    expect((await api.http.get('/health/ready')).status).toBe(503);
    expect((await api.http.get('/health/live')).status).toBe(200);

    await startMongo();
    const back = await eventually(async () => (await api.http.get(`/demo/items/${items[1]._id}`)).status === 200, 20_000, 100);
    expect(back).toBe(true);
    const after = await api.http.get(cachedPath).expect(200);
    expect(['MISS', 'HIT']).toContain(after.headers['x-cache']);
    expect((await api.http.get('/health/ready')).status).toBe(200);
  });
});
