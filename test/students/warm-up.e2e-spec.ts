/**
 * Warming an edition before its instant: every result public from then on goes into Redis, then
 * into each instance's L1, under keys no request reaches before the instant. Two instances; a
 * third follows the change feed in the last test (the feed would otherwise also correct what the
 * warm-up's own race guard must).
 */
import type { Collection } from 'mongodb';
import { CacheInvalidator, ChangeFeed, TwoTierCache } from '../../src/infra/cache';
import { PublicationGate } from '../../src/students/publication/publication-gate';
import { fingerprintOf } from '../../src/students/publication/visible-editions';
import type { Student } from '../../src/students/schemas/student.schema';
import { StudentsSeeder } from '../../src/students/seed/students.seeder';
import { isPacked, storedAnswer } from './stored-result';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';

const NOTICE_S = 1;
const WARMED = 'warm-a';
const RACED = 'warm-b';

describe('results warm-up before the instant', () => {
  let ctx: TestContext;
  let a: TestApp;
  let b: TestApp;
  let students: Collection<Student>;

  const redisNow = async () => {
    const [seconds, micros] = await ctx.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  };
  const publish = (edition: string, at: number) =>
    a.http
      .put(`/editions/${edition}/publication`)
      .set(adminAuth)
      .send({ publish_at: new Date(at).toISOString() })
      .expect(200);
  const waitUntil = async (at: number) => {
    while ((await redisNow()) < at) await new Promise((r) => setTimeout(r, 25));
  };
  const warmUp = async (edition: string) => {
    await a.http.post(`/editions/${edition}/warm-up`).set(adminAuth).expect(202);
    const done = await eventually(async () => {
      const { body } = await a.http.get(`/editions/${edition}/warm-up`).set(adminAuth).expect(200);
      // Every serving instance copies (two, or three where a test starts a follower): wait for at least a's and b's.
      return body.status !== 'running' && body.l1.length >= 2 && body.l1.every((l: { done: boolean }) => l.done) && body;
    }, 20_000);
    expect(done).toMatchObject({ status: 'done' });
    return done as { total: number; stored: number; retried: number; fingerprint: string; l1: { loaded: number }[] };
  };
  const storedKeys = async (pattern: string) => {
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await ctx.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  };

  beforeAll(async () => {
    ctx = await createTestContext('warm-up');
    const settings = { RESULTS_PUBLISH_NOTICE_SECONDS: NOTICE_S, CACHE_TTL_SECONDS: 120 };
    a = await ctx.startApp(settings);
    b = await ctx.startApp(settings);
    students = ctx.mongo.db(ctx.dbName).collection<Student>('students');
    const seeder = a.app.get(StudentsSeeder);
    await seeder.seed({ seed: 1, count: 100, reset: true });
    await seeder.seed({ seed: 2, count: 400, edition: WARMED });
    await seeder.seed({ seed: 3, count: 2500, edition: RACED });
    await Promise.all([a, b].map((app) => app.app.get(PublicationGate).refresh()));
  }, 120_000);
  afterAll(() => ctx.close());

  it('fills Redis and both L1s before the instant, serves none of it before, and serves it from memory on both instances from the instant on', async () => {
    const instant = (await redisNow()) + 6000;
    await publish(WARMED, instant);
    const state = await warmUp(WARMED);
    const total = await students.countDocuments({ edition: { $in: ['2026-fuvest', WARMED] } });
    expect(state).toMatchObject({ total, stored: total, retried: 0, fingerprint: fingerprintOf(['2026-fuvest', WARMED]) });
    expect(state.l1.map((l) => l.loaded)).toEqual([total, total]);
    expect(await storedKeys(`students.public-${state.fingerprint}:id:*`)).toBe(total);
    expect(await redisNow()).toBeLessThan(instant);

    const sample = await students.find({ edition: WARMED }).limit(20).toArray();
    // Packed in Redis, the very bytes the route serves once unpacked.
    const stored = await ctx.redis.getBuffer(`students.public-${state.fingerprint}:id:${sample[0]._id}`);
    expect(isPacked(stored)).toBe(true);
    for (const app of [a, b]) {
      for (const s of sample) await app.http.get(`/students/${s._id}`).expect(404);
      expect((await app.http.get(`/students?edition=${WARMED}`).expect(200)).body.total).toBe(0);
    }

    await waitUntil(instant);
    for (const app of [a, b]) {
      for (const s of sample) {
        const res = await app.http.get(`/students/${s._id}`).expect(200);
        expect([res.headers['x-cache'], res.headers['x-cache-tier']]).toEqual(['HIT', 'l1']);
        expect(res.body).toMatchObject({ registration: s._id, edition: WARMED, classification: s.classification });
      }
    }
    const served = await a.http.get(`/students/${sample[1]._id}`).expect(200);
    expect(storedAnswer(stored)).toBe((await a.http.get(`/students/${sample[0]._id}`)).text);
    // The route itself, loading from MongoDB, answers the same bytes the warm-up stored.
    await a.app.get(CacheInvalidator).delete(`students.public-${state.fingerprint}:id:${sample[1]._id}`);
    const loaded = await a.http.get(`/students/${sample[1]._id}`).expect(200);
    expect(loaded.headers['x-cache']).toBe('MISS');
    expect(loaded.text).toBe(served.text);
  });

  it('a correction made during the warm-up is served corrected, and every other result is still warmed', async () => {
    const instant = (await redisNow()) + 8000;
    await publish(RACED, instant);
    // The warm-up reads results in the collection's order, 2,000 per fetch; this one arrives in the
    // first fetch but is stored well after the correction below.
    const visible = { edition: { $in: ['2026-fuvest', WARMED, RACED] } };
    const late = (await students.find(visible).skip(1900).limit(1).toArray())[0];
    expect(late.edition).toBe(RACED);
    const cache = a.app.get(TwoTierCache);
    const storeMany = cache.storeMany.bind(cache);
    let calls = 0;
    let corrected: Promise<unknown> | undefined;
    const spy = jest.spyOn(cache, 'storeMany').mockImplementation(async (...args) => {
      // From the third batch on, stores wait for a correction made meanwhile: the warm-up has read
      // about 1,500 results by then, and the rest of the first fetch sits in the cursor's buffer.
      if (++calls === 3) {
        const campus = late.campus === 'Bauru' ? 'Campinas' : 'Bauru';
        corrected = Promise.resolve(a.http.patch(`/students/${late._id}`).set(adminAuth).send({ campus }).expect(200));
      }
      if (corrected) await corrected;
      return storeMany(...args);
    });
    let state: Awaited<ReturnType<typeof warmUp>>;
    try {
      state = await warmUp(RACED);
    } finally {
      spy.mockRestore();
    }
    const now = (await students.findOne({ _id: late._id }))!;
    expect(now.campus).not.toBe(late.campus);
    await waitUntil(instant);
    for (const app of [a, b]) expect((await app.http.get(`/students/${late._id}`).expect(200)).body.campus).toBe(now.campus);
    expect(state.total).toBe(await students.countDocuments(visible));
    expect(state.stored).toBe(state.total);
    expect(state.retried).toBeGreaterThan(0);
  });

  it('a result changed after the warm-up, straight in MongoDB, is served changed after the instant (the change feed)', async () => {
    const edition = 'warm-c';
    const follower = await ctx.startApp({ RESULTS_PUBLISH_NOTICE_SECONDS: NOTICE_S, CACHE_FEED_ENABLED: true });
    await follower.app.get(ChangeFeed).ready();
    await a.app.get(StudentsSeeder).seed({ seed: 4, count: 50, edition });
    const instant = (await redisNow()) + 5000;
    await publish(edition, instant);
    await warmUp(edition);
    const s = (await students.findOne({ edition }))!;
    await students.updateOne({ _id: s._id }, { $set: { email: 'corrigido@example.com' } });
    await waitUntil(instant);
    for (const app of [a, b]) {
      expect(await eventually(async () => (await app.http.get(`/students/${s._id}`)).body.email === 'corrigido@example.com', 2000)).toBe(
        true,
      );
    }
    await follower.close();
  });
});
