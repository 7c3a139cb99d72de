/**
 * A Sentinel group's master killed (SIGKILL) under continuous reads from two instances: no 5xx
 * (reads go to MongoDB until the sentinels promote the replica), then both instances cache
 * through the new master again, and writes still reach every instance.
 *
 * Bounds are generous on purpose (a loaded 2-core machine): what is asserted is "no 5xx, ever"
 * and "recovers", not how fast; the times are printed for the report.
 */
import Redis from 'ioredis';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { SentinelGroup, startSentinelGroup } from '../harness/redis-sentinel';
import { seedDemo } from './demo-api';
import { expectFailoverUnderLoad } from './failover-load';

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
    await expectFailoverUnderLoad([a, b], ids, {
      label: 'sentinelFailover',
      killMasterAndWait: async () => {
        const oldPort = await group.masterPort();
        process.kill(group.master.pid, 'SIGKILL');
        return eventually(async () => (await group.masterPort().catch(() => oldPort)) !== oldPort, 90_000, 200);
      },
      client: async () => new Redis({ host: '127.0.0.1', port: await group.masterPort() }).on('error', () => undefined),
      entryKey: (id) => `demo:id:${id}`,
    });
  });
});
