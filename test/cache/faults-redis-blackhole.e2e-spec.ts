/**
 * A link to Redis that swallows bytes for a few seconds without closing (a proxy or load balancer
 * dropping traffic, as toxiproxy's timeout toxic does), then heals. Commands sent meanwhile get no
 * reply, so the connection's queue of commands awaiting replies no longer matches what Redis
 * answers; the instance must notice and reconnect rather than stay degraded.
 *
 * Before CACHE_REDIS_SOCKET_TIMEOUT_MS, after a 3 s blackhole the instance never reconnected: 40 s
 * later /health/ready still said redis down, the breaker kept opening and every cached read was a
 * MISS from MongoDB.
 */
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { LatencyProxy } from '../harness/latency-proxy';
import { seedDemo } from './demo-api';

const BLACKHOLE_MS = 3000;
/** Time to notice and reconnect once the link carries bytes again. */
const RECOVERY_MS = 5000;

describe('faults: Redis link swallowing bytes, then healed', () => {
  let ctx: TestContext;
  let proxy: LatencyProxy;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('faults-redis-blackhole');
    proxy = LatencyProxy.for(ctx.env.REDIS_URL!);
    await proxy.listen();
    api = await ctx.startApp({ DEMO_ROUTES: true, REDIS_URL: proxy.url(ctx.env.REDIS_URL!) });
  });
  afterAll(async () => {
    await ctx.close();
    await proxy.close();
  });

  it(`is back on Redis within ${RECOVERY_MS} ms after the link heals`, async () => {
    const items = await seedDemo(api.http, 5);
    const path = `/demo/items/${items[0]._id}`;
    proxy.blackhole(true);
    const started = Date.now();
    // Requests during the blackhole: the cache's commands are sent and swallowed.
    for (let i = 0; Date.now() - started < BLACKHOLE_MS; i++) {
      expect((await api.http.get(`/demo/items/${items[i % items.length]._id}`)).status).toBe(200);
    }
    proxy.blackhole(false);
    const back = await eventually(
      async () => {
        const ready = (await api.http.get('/health/ready')).body;
        const hit = (await api.http.get(path)).headers['x-cache'] === 'HIT';
        return ready.redis === 'up' && ready.breaker === 'closed' && hit;
      },
      RECOVERY_MS,
      100,
    );
    console.log(JSON.stringify({ fault: 'redis blackhole', back, connectionsAccepted: proxy.accepted }));
    expect(back).toBe(true);
  });
});
