/**
 * The cache behind a Sentinel group (1 master, 1 replica, 3 sentinels; real redis-servers):
 * the same behaviours as on one server, and a master failover under read load answers no 5xx
 * and caches again on the promoted replica.
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
  });
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

    await a.http.put(path).set(adminAuth).send({ name: 'changed through A' }).expect(200);
    expect(await master.exists(`demo:id:${ids[0]}`)).toBe(0);
    expect(await eventually(async () => (await b.http.get(path)).body.name === 'changed through A', 1000, 10)).toBe(true);
    master.disconnect();
  });

  it('a master failover under read load answers no 5xx, and caching resumes on the promoted replica', async () => {
    const oldPort = await group.masterPort();
    const statuses: number[] = [];
    let reading = true;
    const readLoop = async (api: TestApp) => {
      for (let i = 0; reading; i++) {
        const res = await api.http.get(`/demo/items/${ids[i % ids.length]}`);
        statuses.push(res.status);
      }
    };
    const loops = [readLoop(a), readLoop(b), readLoop(a)];
    await eventually(() => statuses.length > 30, 5000, 10);

    process.kill(group.master.pid, 'SIGKILL');
    const promoted = await eventually(async () => (await group.masterPort()) !== oldPort, 30_000, 200);
    expect(promoted).toBe(true);
    const newMaster = onPort(await group.masterPort());
    const path = `/demo/items/${ids[1]}`;
    // Both instances store and hit through the new master again.
    for (const api of [a, b]) {
      const hit = await eventually(async () => (await api.http.get(path)).headers['x-cache'] === 'HIT', 30_000, 100);
      expect(hit).toBe(true);
    }
    expect(await newMaster.exists(`demo:id:${ids[1]}`)).toBe(1);
    reading = false;
    await Promise.all(loops);

    console.log(JSON.stringify({ sentinelFailover: { reads: statuses.length, fiveHundreds: statuses.filter((s) => s >= 500).length } }));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.length).toBeGreaterThan(30);

    // Writes invalidate through the new master, on every instance.
    await a.http.put(path).set(adminAuth).send({ name: 'after the failover' }).expect(200);
    expect(await eventually(async () => (await b.http.get(path)).body.name === 'after the failover', 2000, 20)).toBe(true);
    newMaster.disconnect();
  });
});
