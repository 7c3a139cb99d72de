/**
 * A Sentinel group's master killed (SIGKILL) under continuous reads from two instances: no 5xx
 * (reads go to MongoDB until the sentinels promote the replica), then both instances cache
 * through the new master again, and writes still reach every instance.
 *
 * Bounds are generous on purpose (a loaded 2-core machine): what is asserted is "no 5xx, ever"
 * and "recovers", not how fast; the times are printed for the report.
 */
import Redis from 'ioredis';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { SentinelGroup, startSentinelGroup } from '../harness/redis-sentinel';
import { seedDemo } from './demo-api';
import { cachesAgain, readLoad } from './failover-load';

jest.setTimeout(240_000);

describe('shared cache: Redis Sentinel master failover under read load', () => {
  let ctx: TestContext;
  let group: SentinelGroup;
  let a: TestApp;
  let b: TestApp;
  let ids: string[];

  beforeAll(async () => {
    ctx = await createTestContext('sentinel-failover');
    group = await startSentinelGroup();
    const overrides = { DEMO_ROUTES: true, REDIS_URL: group.url };
    a = await ctx.startApp(overrides);
    b = await ctx.startApp(overrides);
    ids = (await seedDemo(a.http, 8)).map((item) => item._id);
  });
  afterAll(async () => {
    await ctx?.close();
    await group?.stop();
  });

  it('answers no 5xx while there is no master, and caches again on the promoted replica', async () => {
    const path = `/demo/items/${ids[0]}`;
    await a.http.get(path).expect(200);
    expect((await a.http.get(path).expect(200)).headers['x-cache']).toBe('HIT');
    const load = readLoad([a, b], ids);
    await eventually(() => load.statuses.length > 30, 10_000, 20);

    const started = Date.now();
    const oldPort = await group.masterPort();
    process.kill(group.master.pid, 'SIGKILL');
    const promoted = await eventually(async () => (await group.masterPort().catch(() => oldPort)) !== oldPort, 90_000, 200);
    const promotedAfterMs = Date.now() - started;
    expect(promoted).toBe(true);

    for (const api of [a, b]) expect(await cachesAgain(api, path, `demo:id:${ids[0]}`, adminAuth, 90_000)).toBe(true);
    const cachingAfterMs = Date.now() - started;
    await load.stop();

    const master = new Redis({ host: '127.0.0.1', port: await group.masterPort() }).on('error', () => undefined);
    try {
      expect(await master.exists(`demo:id:${ids[0]}`)).toBe(1);
      // Writes invalidate through the new master, on every instance (the bus included).
      await a.http.patch(path).set(adminAuth).send({ name: 'after the failover' }).expect(200);
      expect(await master.exists(`demo:id:${ids[0]}`)).toBe(0);
      expect(await eventually(async () => (await b.http.get(path)).body.name === 'after the failover', 10_000, 50)).toBe(true);
    } finally {
      master.disconnect();
    }

    const fiveHundreds = load.serverErrors().length;
    console.log(JSON.stringify({ sentinelFailover: { reads: load.statuses.length, fiveHundreds, promotedAfterMs, cachingAfterMs } }));
    expect(load.serverErrors()).toEqual([]);
    expect(load.statuses.length).toBeGreaterThan(30);
  });
});
