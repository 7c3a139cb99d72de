import mongoose from 'mongoose';
import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

describe('shared cache: single-flight', () => {
  let ctx: TestContext;
  let api: TestApp;
  const queries: { collection: string; method: string }[] = [];

  beforeAll(async () => {
    ctx = await createTestContext('single-flight');
    api = await ctx.startApp({ DEMO_ROUTES: true });
    await seedDemo(api.http, 5);
    // Mongoose debug hooks every query the app's connection sends.
    mongoose.set('debug', (collection: string, method: string) => void queries.push({ collection, method }));
  });
  afterAll(async () => {
    mongoose.set('debug', false);
    await ctx.close();
  });

  it('runs one MongoDB query for 20 concurrent misses of one key', async () => {
    const { body } = await api.http.get('/demo/items').expect(200);
    const id = body.items[0]._id;
    await api.http.delete('/cache').set(adminAuth).expect(200);
    queries.length = 0;

    const responses = await Promise.all(Array.from({ length: 20 }, () => api.http.get(`/demo/items/${id}`)));

    expect(responses.every((r) => r.status === 200 && r.body._id === id)).toBe(true);
    const finds = queries.filter((q) => q.collection === 'demo_items' && q.method === 'findOne');
    expect(finds).toHaveLength(1);
    // Later requests are served from the cache without touching MongoDB.
    queries.length = 0;
    await api.http.get(`/demo/items/${id}`).expect(200);
    expect(queries).toHaveLength(0);
  });
});
