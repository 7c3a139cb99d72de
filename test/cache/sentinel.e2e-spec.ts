/**
 * The cache behind a Sentinel group (1 master, 1 replica, 3 sentinels; real redis-servers):
 * the same behaviours as on one server. The failover under read load is in sentinel-failover.e2e-spec.ts.
 */
import Redis from 'ioredis';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { SentinelGroup, startSentinelGroup } from '../harness/redis-sentinel';
import { seedDemo } from './demo-api';

describe('shared cache: Redis Sentinel', () => {
  let ctx: TestContext;
  let group: SentinelGroup;
  let a: TestApp;
  let b: TestApp;
  let ids: string[];

  const onPort = (port: number) => new Redis({ host: '127.0.0.1', port }).on('error', () => undefined);

  beforeAll(async () => {
    ctx = await createTestContext('sentinel');
    group = await startSentinelGroup();
    const overrides = { DEMO_ROUTES: true, REDIS_URL: group.url, CACHE_REDIS_TIMEOUT_MS: 100 };
    a = await ctx.startApp(overrides);
    b = await ctx.startApp(overrides);
    ids = (await seedDemo(a.http, 5)).map((item) => item._id);
  }, 180_000); // five redis processes and two apps: slow on a loaded machine
  afterAll(async () => {
    await ctx.close();
    await group.stop();
  });

  it('MISS then HIT on the master, invalidation and coherence across two instances', async () => {
    const path = `/demo/items/${ids[0]}`;
    expect((await a.http.get(path).expect(200)).headers['x-cache']).toBe('MISS');
    expect((await a.http.get(path).expect(200)).headers['x-cache']).toBe('HIT');
    const master = onPort(await group.masterPort());
    expect(await master.exists(`demo:id:${ids[0]}`)).toBe(1);
    expect((await b.http.get(path).expect(200)).headers['x-cache-tier']).toBe('l2');
    expect((await b.http.get(path).expect(200)).headers['x-cache-tier']).toBe('l1');

    await a.http.patch(path).set(adminAuth).send({ name: 'changed through A' }).expect(200);
    expect(await master.exists(`demo:id:${ids[0]}`)).toBe(0);
    expect(await eventually(async () => (await b.http.get(path)).body.name === 'changed through A', 1000, 10)).toBe(true);
    master.disconnect();
  });

  it('an instance that shuts down closes every connection it opened to the sentinels (so its process can exit)', async () => {
    const sentinelClients = async () => {
      let total = 0;
      for (const sentinel of group.sentinels) {
        const client = onPort(Number(new URL(sentinel.uri).port));
        const list = (await client.call('CLIENT', 'LIST')) as string;
        total += list.split('\n').filter((line) => line.trim() && !line.includes('cmd=client')).length;
        client.disconnect();
      }
      return total;
    };
    const before = await sentinelClients();
    const c = await ctx.startApp({ DEMO_ROUTES: true, REDIS_URL: group.url });
    await c.http.get(`/demo/items/${ids[1]}`).expect(200);
    expect(await sentinelClients()).toBeGreaterThan(before);
    await c.close();
    expect(await eventually(async () => (await sentinelClients()) === before, 3000)).toBe(true);
  });
});
