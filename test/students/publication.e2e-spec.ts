/**
 * Results with an embargo: an edition's results are invisible on every public route until its
 * publication instant, judged on Redis' clock, then visible on every instance at once. Two
 * instances share the suite's MongoDB and Redis; the second reads Redis through a path that
 * delays every answer by 150 ms (and nothing it sends), so its clock readings are lopsided.
 */
import type { Collection } from 'mongodb';
import { performance } from 'node:perf_hooks';
import { PublicationGate } from '../../src/students/publication/publication-gate';
import type { Student } from '../../src/students/schemas/student.schema';
import { StudentsSeeder } from '../../src/students/seed/students.seeder';
import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
import { signUp } from '../imagedoc/imagedoc-helpers';
import { LatencyProxy } from '../harness/latency-proxy';

const NOTICE_S = 1;
const HIDDEN = '2027-fuvest';
const UNKNOWN_REGISTRATION = '2999999999';
const ANSWER_DELAY_MS = 150;

type Response = { status: number; text: string; body: Record<string, unknown>; headers: Record<string, string> };

/**
 * A response with what is proper to one request removed (date, request id, timestamp) and `secret`
 * (also percent-encoded, as in `path`) replaced by `stand`; the length follows the body.
 */
function shape(res: Response, secret: string, stand: string) {
  const { date: _date, 'x-request-id': _id, 'content-length': _length, ...headers } = res.headers;
  const text = res.text.split(encodeURIComponent(secret)).join(encodeURIComponent(stand)).split(secret).join(stand);
  const body = JSON.parse(text) as Record<string, unknown>;
  delete body.timestamp;
  delete body.requestId;
  return { status: res.status, headers, body };
}

describe('results publication: the embargo and the instant', () => {
  let ctx: TestContext;
  let a: TestApp;
  let b: TestApp;
  let proxy: LatencyProxy;
  let students: Collection<Student>;

  /** Redis time now, read directly (this process's own path to Redis is not delayed). */
  const redisNow = async () => {
    const [seconds, micros] = await ctx.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  };
  /** A student of `edition` whose name no other student has (for the by-name route), with the course's public-only total. */
  const pick = async (edition: string) => {
    for (const s of await students.find({ edition }).sort({ _id: 1 }).toArray()) {
      if ((await students.countDocuments({ name: s.name })) === 1) return s;
    }
    throw new Error(`no student of ${edition} has a name of their own`);
  };
  const publish = (edition: string, at: number) =>
    a.http
      .put(`/editions/${edition}/publication`)
      .set(adminAuth)
      .send({ publish_at: new Date(at).toISOString() });

  beforeAll(async () => {
    ctx = await createTestContext('publication');
    const settings = { RESULTS_PUBLISH_NOTICE_SECONDS: NOTICE_S, CACHE_TTL_SECONDS: 120 };
    a = await ctx.startApp(settings);
    // Only what Redis sends back is late: an asymmetric path, where a clock estimate that splits the
    // round trip in two is wrong by half of it.
    proxy = LatencyProxy.for(ctx.env.REDIS_URL!);
    await proxy.listen();
    proxy.setLatency({ down: ANSWER_DELAY_MS });
    b = await ctx.startApp({ ...settings, REDIS_URL: proxy.url(ctx.env.REDIS_URL!), CACHE_REDIS_TIMEOUT_MS: 2000 });
    students = ctx.mongo.db(ctx.dbName).collection<Student>('students');
    const seeder = a.app.get(StudentsSeeder);
    await seeder.seed({ seed: 3, count: 150, reset: true });
    await seeder.seed({ seed: 4, count: 120, edition: HIDDEN });
    await seeder.seed({ seed: 5, count: 60, edition: 'trial-ahead' });
    await seeder.seed({ seed: 6, count: 60, edition: 'trial-behind' });
    await publish(HIDDEN, (await redisNow()) + 24 * 3600_000).expect(200);
    await Promise.all([a, b].map((app) => app.app.get(PublicationGate).refresh()));
  }, 120_000);
  afterAll(async () => {
    await ctx.close();
    await proxy.close();
  });

  it('before the instant, every public route answers for the edition exactly as for one that does not exist, on both instances', async () => {
    const hidden = await pick(HIDDEN);
    const publicInCourse = await students.countDocuments({ course: hidden.course, edition: '2026-fuvest' });
    expect(publicInCourse).toBeLessThan(
      await students.countDocuments({ course: hidden.course, edition: { $in: [HIDDEN, '2026-fuvest'] } }),
    );
    for (const app of [a, b]) {
      for (let round = 0; round < 2; round++) {
        const one = await app.http.get(`/students/${hidden._id}`);
        const none = await app.http.get(`/students/${UNKNOWN_REGISTRATION}`);
        expect(one.status).toBe(404);
        expect(shape(one, hidden._id, UNKNOWN_REGISTRATION)).toEqual(shape(none, UNKNOWN_REGISTRATION, UNKNOWN_REGISTRATION));

        const named = await app.http.get(`/students/by-name/${encodeURIComponent(hidden.name)}`);
        const nobody = await app.http.get(`/students/by-name/${encodeURIComponent('Ninguem Com Este Nome')}`);
        expect(named.status).toBe(404);
        expect(shape(named, hidden.name, 'Ninguem Com Este Nome')).toEqual(shape(nobody, 'Ninguem Com Este Nome', 'Ninguem Com Este Nome'));

        // Lists: same status, body, X-Cache (MISS, then HIT) and ETag as an edition nobody ever created.
        const listed = await app.http.get(`/students?edition=${HIDDEN}`);
        const unlisted = await app.http.get('/students?edition=2099-nowhere');
        expect(listed.body.total).toBe(0);
        expect(shape(listed, HIDDEN, '2099-nowhere')).toEqual(shape(unlisted, '2099-nowhere', '2099-nowhere'));
        const course = await app.http.get(`/students?course=${hidden.course}&limit=1`);
        expect(course.body.total).toBe(publicInCourse);

        const ranked = await app.http.get(`/courses/${hidden.course}/ranking?edition=${HIDDEN}`);
        const unranked = await app.http.get(`/courses/${hidden.course}/ranking?edition=2099-nowhere`);
        expect(ranked.body).toMatchObject({ total: 0, items: [] });
        expect(shape(ranked, HIDDEN, '2099-nowhere')).toMatchObject({
          status: 200,
          body: shape(unranked, '2099-nowhere', '2099-nowhere').body,
        });
        expect(ranked.headers['x-cache']).toBe(unranked.headers['x-cache']);
      }
      // The admin token sees it all.
      const seen = await app.http.get(`/students/${hidden._id}`).set(adminAuth).expect(200);
      expect(seen.body).toMatchObject({ registration: hidden._id, edition: HIDDEN });
      const ranking = await app.http.get(`/courses/${hidden.course}/ranking?edition=${HIDDEN}`).set(adminAuth).expect(200);
      expect(ranking.body.total).toBeGreaterThan(0);
    }
  });

  it("before the instant, a manager's access token sees the edition as the admin token does; a user's sees nothing", async () => {
    const hidden = await pick(HIDDEN);
    const manager = await signUp(a, 'results-manager', 'manager');
    const user = await signUp(a, 'results-candidate');
    const seen = await a.http.get(`/students/${hidden._id}`).set(manager.auth).expect(200);
    expect(seen.body).toMatchObject({ registration: hidden._id, edition: HIDDEN });
    const none = await a.http.get(`/students/${UNKNOWN_REGISTRATION}`);
    for (const auth of [user.auth, { Authorization: 'Bearer not-a-token' }]) {
      const one = await a.http.get(`/students/${hidden._id}`).set(auth);
      expect(one.status).toBe(404);
      expect(shape(one, hidden._id, UNKNOWN_REGISTRATION).body).toEqual(shape(none, UNKNOWN_REGISTRATION, UNKNOWN_REGISTRATION).body);
    }
  });

  it('refuses an instant closer than the notice, and moving one that has come', async () => {
    const now = await redisNow();
    const soon = await publish('2028-fuvest', now + 100).expect(409);
    expect(soon.body.message).toMatch(/at least 1 s ahead/);
    await publish('2026-fuvest', now + 3600_000).expect(409);
    await a.http
      .put(`/editions/${HIDDEN}/publication`)
      .send({ publish_at: new Date(now + 3600_000).toISOString() })
      .expect(401);
    const listed = await a.http.get('/editions').set(adminAuth).expect(200);
    expect(listed.body).toContainEqual(expect.objectContaining({ edition: '2026-fuvest', published: true }));
    expect(listed.body).toContainEqual(expect.objectContaining({ edition: HIDDEN, published: false }));
  });

  // A host clock an hour ahead would open the gate at once; one an hour behind, an hour late.
  it.each([
    ['trial-ahead', 3600_000],
    ['trial-behind', -3600_000],
  ])(
    'opens %s at the instant on Redis time on both instances, whatever the host clock says: no result before, no "not published" after the first',
    async (edition, hostClockSkewMs) => {
      const target = await pick(edition);
      const publishedOnes = (await a.http.get(`/students?course=${target.course}&limit=1`).expect(200)).body.total as number;
      const probes: [string, (res: Response) => boolean][] = [
        [`/students/${target._id}`, (res) => res.status === 200],
        [`/students/by-name/${encodeURIComponent(target.name)}`, (res) => res.status === 200],
        [`/students?edition=${edition}`, (res) => (res.body.total as number) > 0],
        [`/courses/${target.course}/ranking?edition=${edition}`, (res) => (res.body.total as number) > 0],
        [`/students?course=${target.course}&limit=1`, (res) => (res.body.total as number) > publishedOnes],
      ];
      const instant = (await redisNow()) + NOTICE_S * 1000 + 800;
      await publish(edition, instant).expect(200);

      // Ground truth: Redis' own TIME, read directly and often. A response received before a read that says < instant came before it.
      const clock: { sentAt: number; redisMs: number }[] = [];
      const answers: { app: string; path: string; sentAt: number; receivedAt: number; published: boolean; status: number }[] = [];
      let stop = false;
      const realNow = Date.now.bind(Date);
      const skew = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + hostClockSkewMs);
      try {
        const reader = (async () => {
          while (!stop) {
            const sentAt = performance.now();
            clock.push({ sentAt, redisMs: await redisNow() });
            await new Promise((r) => setTimeout(r, 2));
          }
        })();
        const pollers = [a, b].flatMap((app, i) =>
          probes.map(async ([path, isPublished]) => {
            while (!stop) {
              const sentAt = performance.now();
              const res = (await app.http.get(path)) as unknown as Response;
              const receivedAt = performance.now();
              if (res.status >= 500) throw new Error(`${path}: ${res.status} ${res.text}`);
              answers.push({ app: 'ab'[i], path, sentAt, receivedAt, published: isPublished(res), status: res.status });
              await new Promise((r) => setTimeout(r, Math.max(0, 5 - (performance.now() - sentAt))));
            }
          }),
        );
        while ((await redisNow()) < instant + 1200) await new Promise((r) => setTimeout(r, 50));
        stop = true;
        await Promise.all([reader, ...pollers]);
      } finally {
        skew.mockRestore();
      }

      const receivedBy = (receivedAt: number) => clock.find((c) => c.sentAt >= receivedAt)?.redisMs;
      const seenBefore = answers.filter((x) => x.published && (receivedBy(x.receivedAt) ?? Infinity) < instant);
      const firstPublished = Math.min(...answers.filter((x) => x.published).map((x) => x.receivedAt));
      const unpublishedAfter = answers.filter((x) => !x.published && x.sentAt > firstPublished);
      const summary = (xs: typeof answers) => xs.slice(0, 5).map(({ app, path, status }) => `${app} ${path} ${status}`);
      expect({ seenBefore: summary(seenBefore), unpublishedAfter: summary(unpublishedAfter) }).toEqual({
        seenBefore: [],
        unpublishedAfter: [],
      });
      // The trial watched both sides of the instant on both instances and every route.
      for (const app of ['a', 'b']) {
        for (const [path] of probes) {
          const mine = answers.filter((x) => x.app === app && x.path === path);
          expect([app, path, mine.some((x) => !x.published), mine.some((x) => x.published)]).toEqual([app, path, true, true]);
        }
      }
    },
    30_000,
  );
});
