import type TestAgent from 'supertest/lib/agent';
import { adminAuth } from '../harness/test-app';

/** Seeds the demo resource through its admin route and returns its items. */
export async function seedDemo(http: TestAgent, count = 10): Promise<{ _id: string; name: string; price: number }[]> {
  await http.post('/demo/seed').set(adminAuth).send({ count }).expect(201);
  const res = await http.get('/demo/items').query({ limit: 100 }).expect(200);
  return res.body.items;
}
