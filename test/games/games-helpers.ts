import { adminAuth, TestApp } from '../harness/test-app';

/** Creates a game through the API (as admin) and returns its id; the publisher is the title, so lists can filter on it. */
export async function createGame(app: TestApp, item: string): Promise<string> {
  const res = await app.http
    .post('/games')
    .set(adminAuth)
    .send({ item, publisher: item, year: 2017, genre: ['Platform'], platforms: ['PC'], price: 14.99, available: 10 })
    .expect(201);
  return String(res.body._id);
}
