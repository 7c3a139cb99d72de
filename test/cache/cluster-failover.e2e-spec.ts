/**
 * A Redis Cluster master killed (SIGKILL) under continuous reads from two instances: no 5xx
 * (reads of the lost slots go to MongoDB until a replica is promoted), then both instances cache
 * through the promoted replica again, and writes still reach every instance.
 *
 * Bounds are generous on purpose (a loaded 2-core machine): what is asserted is "no 5xx, ever"
 * and "recovers", not how fast; the times are printed for the report.
 */
import Redis from 'ioredis';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { RedisClusterHarness, startRedisCluster } from '../harness/redis-cluster';
import { seedDemo } from './demo-api';
import { expectFailoverUnderLoad } from './failover-load';

jest.setTimeout(240_000);

describe('shared cache: Redis Cluster master failover under read load', () => {
  let ctx: TestContext;
  let cluster: RedisClusterHarness;
  let a: TestApp;
  let b: TestApp;
  let ids: string[];

  beforeAll(async () => {
    ctx = await createTestContext('cluster-failover');
    cluster = await startRedisCluster();
    const overrides = { DEMO_ROUTES: true, REDIS_URL: cluster.url };
    a = await ctx.startApp(overrides);
    b = await ctx.startApp(overrides);
    ids = (await seedDemo(a.http, 8)).map((item) => item._id);
  });
  afterAll(async () => {
    await ctx?.close();
    await cluster?.stop();
  });

  it('answers no 5xx while the slot has no master, and caches again once the replica is promoted', async () => {
    await expectFailoverUnderLoad([a, b], ids, {
      label: 'clusterFailover',
      killMasterAndWait: async () => {
        const victim = await cluster.masterOf('{demo}');
        cluster.kill(victim);
        return (await cluster.waitHealthy(90_000)) && (await cluster.masterOf('{demo}')) !== victim;
      },
      client: async () => new Redis.Cluster([{ host: '127.0.0.1', port: cluster.nodes.find((n) => !n.killed)!.port }]),
      entryKey: (id) => `{demo}:id:${id}`,
    });
  });

  it('moves the invalidation bus to another node when the one it listens on dies: L1 serves again, coherent', async () => {
    // Subscriptions are per node: find the live nodes the apps listen on, and kill one of them.
    const listened: number[] = [];
    for (const node of cluster.nodes.filter((n) => !n.killed)) {
      const redis = cluster.client(node.port);
      try {
        if (((await redis.call('PUBSUB', 'CHANNELS', 'cache:invalidate:*')) as string[]).length > 0) listened.push(node.port);
      } finally {
        redis.disconnect();
      }
    }
    expect(listened.length).toBeGreaterThan(0);
    cluster.kill(listened[0]);
    expect(await cluster.waitHealthy(90_000)).toBe(true);

    const path = `/demo/items/${ids[1]}`;
    for (const api of [a, b]) {
      const servesL1 = await eventually(async () => (await api.http.get(path)).headers['x-cache-tier'] === 'l1', 90_000, 250);
      expect(servesL1).toBe(true);
    }
    // Both hold an L1 copy now: a write through one must reach the other's through the bus.
    await a.http.patch(path).set(adminAuth).send({ name: 'after the bus moved' }).expect(200);
    expect(await eventually(async () => (await b.http.get(path)).body.name === 'after the bus moved', 10_000, 50)).toBe(true);
  });
});
