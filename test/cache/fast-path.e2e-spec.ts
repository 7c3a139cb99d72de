import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
import { HttpCacheInterceptor } from '../../src/infra/cache/http/http-cache.interceptor';
import { LocalTier } from '../../src/infra/cache/local-tier';
import { seedDemo } from './demo-api';
import { isBackgroundCommand, monitorRedis } from '../harness/redis-monitor';

describe('HTTP edge: L2 hits on the fast path', () => {
  let ctx: TestContext;
  let a: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('fast-path');
    a = await ctx.startApp({ DEMO_ROUTES: true, CACHE_TTL_SECONDS: 60 });
    await seedDemo(a.http, 5);
    await a.http.delete('/cache').set(adminAuth).expect(200);
  });
  afterAll(() => ctx.close());

  it('an L2 hit of a learnt route is served before Nest runs, in one command on its key, and promoted to L1', async () => {
    const miss = await a.http.get('/demo/items').expect(200); // learns the route, stores in both tiers
    expect(miss.headers['x-cache']).toBe('MISS');
    a.app.get(LocalTier).entries.clear();

    const monitor = await monitorRedis(ctx.redis);
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (!source.includes('lua')) commands.push(args.map(String));
    });
    const intercept = jest.spyOn(HttpCacheInterceptor.prototype, 'intercept');
    try {
      const hit = await a.http.get('/demo/items').expect(200);
      expect(hit.headers['x-cache-tier']).toBe('l2');
      expect(hit.body).toEqual(miss.body);
      expect(hit.headers.etag).toBe(miss.headers.etag);
      expect(intercept).not.toHaveBeenCalled();
      const promoted = await a.http.get('/demo/items').expect(200);
      expect(promoted.headers['x-cache-tier']).toBe('l1');
    } finally {
      intercept.mockRestore();
    }
    await new Promise((r) => setTimeout(r, 50)); // let MONITOR deliver what it saw
    monitor.disconnect();
    const cacheCommands = commands.filter((args) => !isBackgroundCommand(args));
    expect(cacheCommands).toEqual([['evalsha', expect.any(String), '2', 'demo:list', 'demo:meta:gen']]);
  });

  it('an L2 miss of a learnt route reads Redis once and stores once: the fast path hands its miss to the load', async () => {
    await a.http.get('/demo/items').query({ limit: 3 }).expect(200); // learns the route
    await a.http.delete('/cache').set(adminAuth).expect(200);
    const monitor = await monitorRedis(ctx.redis);
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (!source.includes('lua')) commands.push(args.map(String));
    });
    try {
      const miss = await a.http.get('/demo/items').query({ limit: 3 }).expect(200);
      expect(miss.headers['x-cache']).toBe('MISS');
      await new Promise((r) => setTimeout(r, 50)); // let MONITOR deliver what it saw
    } finally {
      monitor.disconnect();
    }
    const cacheCommands = commands.filter((args) => !isBackgroundCommand(args));
    // The read (value, TTL and generation in one script), then the store through the race guard.
    expect(cacheCommands.map(([name, , keys]) => [name, keys])).toEqual([
      ['evalsha', '2'],
      ['evalsha', '3'],
    ]);
    expect(cacheCommands[0][3]).toMatch(/^demo:list:/);
    expect(cacheCommands[1][3]).toBe(cacheCommands[0][3]);
  });

  it('an L2 miss on the fast path goes on to Nest, which loads and stores', async () => {
    await a.http
      .patch(`/demo/items/${(await a.http.get('/demo/items').expect(200)).body.items[0]._id}`)
      .set(adminAuth)
      .send({ name: 'x' })
      .expect(200);
    const res = await a.http.get('/demo/items').expect(200);
    expect(res.headers['x-cache']).toBe('MISS');
    expect(res.body.items.map((i: { name: string }) => i.name)).toContain('x');
    expect((await a.http.get('/demo/items').expect(200)).headers['x-cache-tier']).toBe('l1');
  });

  it('with L1 off, hits are L2 hits served by the fast path in one command (no promotion)', async () => {
    const b = await ctx.startApp({ DEMO_ROUTES: true, CACHE_TTL_SECONDS: 60, CACHE_L1_ENABLED: false });
    const monitor = await monitorRedis(ctx.redis);
    try {
      await b.http.get('/demo/items').expect(200); // learnt
      const commands: string[][] = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (!source.includes('lua')) commands.push(args.map(String));
      });
      const hit = await b.http.get('/demo/items').expect(200);
      expect(hit.headers['x-cache-tier']).toBe('l2');
      await new Promise((r) => setTimeout(r, 50)); // let MONITOR deliver what it saw
      expect(commands.filter((args) => !isBackgroundCommand(args))).toEqual([
        ['evalsha', expect.any(String), '2', 'demo:list', 'demo:meta:gen'],
      ]);
    } finally {
      monitor.disconnect();
      await b.close();
    }
  });
});
