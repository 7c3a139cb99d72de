import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { LocalTier } from '../../src/infra/cache/local-tier';
import { seedDemo } from './demo-api';

describe('shared cache: coherence across instances', () => {
  let ctx: TestContext;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('coherence');
    a = await ctx.startApp({ DEMO_ROUTES: true });
    b = await ctx.startApp({ DEMO_ROUTES: true });
    await seedDemo(a.http, 3);
  });
  afterAll(() => ctx.close());

  it("a write through A removes B's L1 copy within 100 ms", async () => {
    const { body } = await a.http.get('/demo/items').expect(200);
    const id = body.items[0]._id;
    await b.http.get(`/demo/items/${id}`).expect(200);
    const warm = await b.http.get(`/demo/items/${id}`).expect(200);
    expect(warm.headers['x-cache-tier']).toBe('l1');
    const l1 = b.app.get(LocalTier).entries;
    expect(l1.get(`demo:id:${id}`)).toBeDefined();

    await a.http.patch(`/demo/items/${id}`).set(adminAuth).send({ name: 'changed on A' }).expect(200);
    const started = Date.now();
    const dropped = await eventually(() => l1.get(`demo:id:${id}`) === undefined, 100, 2);
    expect({ dropped, withinMs: Date.now() - started }).toEqual({ dropped: true, withinMs: expect.any(Number) });

    const fresh = await b.http.get(`/demo/items/${id}`).expect(200);
    expect(fresh.body.name).toBe('changed on A');
  });

  it('clearing the cache through one instance empties every instance', async () => {
    await a.http.get('/demo/items').expect(200);
    await b.http.get('/demo/items').expect(200);
    await b.http.get('/demo/items').expect(200);
    const l1 = b.app.get(LocalTier).entries;
    expect(l1.size).toBeGreaterThan(0);
    await a.http.delete('/cache').query({ prefix: 'demo:' }).set(adminAuth).expect(200);
    expect(await eventually(() => l1.size === 0, 1000)).toBe(true);
    expect((await b.http.get('/demo/items').expect(200)).headers['x-cache']).toBe('MISS');
  });
});
