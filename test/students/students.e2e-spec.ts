/**
 * Results day of a vestibular (entrance exam) against real servers: generated candidates ranked
 * by MongoDB, cached reads (MISS then HIT), CPF masking, admin writes that re-rank a course and
 * invalidate exactly what changed, DELETE from MongoDB and Redis, the warm-up, bad input that
 * changes nothing, and the change feed following writes made straight to MongoDB.
 */
import type { Collection } from 'mongodb';
import { COURSES, statusForRank } from '../../src/students/courses';
import { isValidCpf } from '../../src/students/cpf';
import { finalScore } from '../../src/students/scoring';
import type { Student } from '../../src/students/schemas/student.schema';
import { REGISTRATION_BASE } from '../../src/students/seed/registration';
import { generateStudents } from '../../src/students/seed/student-generator';
import { DEFAULT_EDITION, DEFAULT_EDITION_PUBLISHED_AT } from '../../src/students/editions';
import { fingerprintOf } from '../../src/students/publication/visible-editions';
import { isPacked, storedAnswer } from './stored-result';
import { StudentsSeeder } from '../../src/students/seed/students.seeder';
import { ChangeFeed } from '../../src/infra/cache';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';

const COUNT = 300;
const SEED = 5;
/** Keys of public answers while the default edition is the one published (see students.cache.ts). */
const PUBLIC = `public-${fingerprintOf([DEFAULT_EDITION])}`;

describe('students results', () => {
  let ctx: TestContext;
  let api: TestApp;
  let students: Collection<Student>;
  let feed: ChangeFeed;
  /** The feed's open change stream on students (to inject stream errors). */
  const studentsStream = () =>
    (feed as unknown as { followers: Map<string, { stream: NodeJS.EventEmitter }> }).followers.get('students')!.stream;

  /** Waits until the change feed has applied every event MongoDB sent (its invalidations would race the assertions). */
  const settle = async () => {
    for (let stable = 0; stable < 3;) {
      const before = feed.processed;
      await new Promise((r) => setTimeout(r, 120));
      stable = feed.processed === before && feed.backlog === 0 ? stable + 1 : 0;
    }
  };
  const get = (path: string) => api.http.get(path);
  const someStudent = async (filter: Record<string, unknown> = {}) => (await students.findOne(filter, { sort: { _id: 1 } }))!;
  const newStudent = (over: Record<string, unknown> = {}) => ({
    registration: '2700000001',
    name: 'Maria da Silva',
    cpf: '529.982.247-25',
    email: 'Maria.Silva@example.com',
    birth_date: '2007-05-14',
    course: 'medicina',
    campus: 'Campinas',
    scores: { languages: 700, human_sciences: 650.5, natural_sciences: 720, mathematics: 810, essay: 900 },
    ...over,
  });

  beforeAll(async () => {
    ctx = await createTestContext('students');
    api = await ctx.startApp({ CACHE_TTL_SECONDS: 120, CACHE_FEED_ENABLED: true });
    feed = api.app.get(ChangeFeed);
    await feed.ready();
    students = ctx.mongo.db(ctx.dbName).collection<Student>('students');
    const summary = await api.app.get(StudentsSeeder).seed({ seed: SEED, count: COUNT, reset: true });
    expect(summary.inserted).toEqual({ students: COUNT });
    await settle();
  }, 60_000);
  afterAll(() => ctx.close());

  describe('generator', () => {
    it('stores exactly what the seed generates: same seed, same candidates', async () => {
      const expected = generateStudents({
        seed: SEED,
        edition: DEFAULT_EDITION,
        publishedAt: DEFAULT_EDITION_PUBLISHED_AT.getTime(),
        batch: 0,
        start: 0,
        size: COUNT,
      });
      const stored = await students
        .find({}, { projection: { classification: 0, status: 0 } })
        .sort({ _id: 1 })
        .toArray();
      expect(stored).toEqual(expected.map(({ classification: _c, status: _s, ...rest }) => rest));
      expect(stored[0]._id).toBe(String(REGISTRATION_BASE));
    });

    it('makes valid, unique CPFs and final scores that follow the documented weighting', async () => {
      const all = await students.find().toArray();
      expect(all.every((s) => isValidCpf(s.cpf))).toBe(true);
      expect(new Set(all.map((s) => s.cpf)).size).toBe(COUNT);
      expect(all.every((s) => s.final_score === finalScore(s.scores))).toBe(true);
      expect(all.every((s) => Object.values(s.scores).every((v) => v >= 0 && v <= 1000))).toBe(true);
    });

    it('ranks every course in MongoDB: ranks 1..n by final score, statuses from the seats', async () => {
      for (const course of COURSES) {
        const ranked = await students.find({ course: course.code }).sort({ classification: 1 }).toArray();
        expect(ranked.map((s) => s.classification)).toEqual(ranked.map((_, i) => i + 1));
        for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].final_score).toBeGreaterThanOrEqual(ranked[i].final_score);
        expect(ranked.every((s) => s.status === statusForRank(s.classification!, course.seats))).toBe(true);
      }
    });
  });

  describe('reads', () => {
    it('serves one result with a masked CPF: MISS, then HIT', async () => {
      const s = await someStudent();
      const first = await get(`/students/${s._id}`).expect(200);
      expect(first.headers['x-cache']).toBe('MISS');
      expect(first.body).toMatchObject({ registration: s._id, name: s.name, course: s.course, final_score: s.final_score });
      expect(first.body.cpf).toBe(`***.${s.cpf.slice(3, 6)}.${s.cpf.slice(6, 9)}-**`);
      expect(first.body.birth_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const second = await get(`/students/${s._id}`).expect(200);
      expect(second.headers['x-cache']).toBe('HIT');
      expect(second.body).toEqual(first.body);
      // Packed in Redis behind the deployment's mark: the same bytes once unpacked.
      const stored = await ctx.redis.getBuffer(`students.${PUBLIC}:id:${s._id}`);
      expect(isPacked(stored)).toBe(true);
      expect(storedAnswer(stored)).toBe(JSON.stringify(first.body));
    });

    it('shows the whole CPF to the admin, never from or into the cache', async () => {
      const s = await someStudent();
      const res = await get(`/students/${s._id}`).set(adminAuth).expect(200);
      expect(res.headers['x-cache']).toBe('BYPASS');
      expect(res.body.cpf).toBe(`${s.cpf.slice(0, 3)}.${s.cpf.slice(3, 6)}.${s.cpf.slice(6, 9)}-${s.cpf.slice(9)}`);
      const wrongToken = await get(`/students/${s._id}`).set('Authorization', 'Bearer not-the-admin-token-at-all').expect(200);
      expect(wrongToken.body.cpf).toMatch(/^\*\*\*\./);
    });

    it('lists with filters and pagination, cached per variant', async () => {
      const path = '/students?course=medicina&status=approved&limit=5';
      const first = await get(path).expect(200);
      expect(first.headers['x-cache']).toBe('MISS');
      const total = await students.countDocuments({ course: 'medicina', status: 'approved' });
      expect(first.body).toMatchObject({ total, page: 1, limit: 5 });
      expect(first.body.items.length).toBe(Math.min(5, total));
      expect(first.body.items.every((s: { course: string; status: string }) => s.course === 'medicina' && s.status === 'approved')).toBe(
        true,
      );
      expect((await get(path).expect(200)).headers['x-cache']).toBe('HIT');
      expect((await get('/students?course=medicina&status=approved&limit=6').expect(200)).headers['x-cache']).toBe('MISS');

      const s = await someStudent();
      const part = s.name.split(' ')[0].toUpperCase();
      const byPart = await get(`/students?name=${encodeURIComponent(part)}&limit=100`).expect(200);
      expect(byPart.body.items.map((x: { registration: string }) => x.registration)).toContain(s._id);
      expect(byPart.body.total).toBe(await students.countDocuments({ name: { $regex: part, $options: 'i' } }));
    });

    it('serves a course leaderboard, cached per course and limit', async () => {
      const res = await get('/courses/direito/ranking?limit=3').expect(200);
      expect(res.headers['x-cache']).toBe('MISS');
      const top = await students.find({ course: 'direito' }).sort({ classification: 1 }).limit(3).toArray();
      expect(res.body).toMatchObject({ course: 'direito', seats: 120, total: await students.countDocuments({ course: 'direito' }) });
      expect(res.body.items.map((e: { registration: string }) => e.registration)).toEqual(top.map((s) => s._id));
      expect(JSON.stringify(res.body)).not.toMatch(/cpf/);
      expect((await get('/courses/direito/ranking?limit=3').expect(200)).headers['x-cache']).toBe('HIT');
      expect(await ctx.redis.zcard(`rankings.direito-${fingerprintOf([DEFAULT_EDITION])}:meta:lists`)).toBe(1);
    });

    it('answers 404 for unknown registrations, names and courses', async () => {
      await get('/students/2999999999').expect(404);
      await get('/students/by-name/Ninguem%20Existe').expect(404);
      await get('/courses/astronomia/ranking').expect(404);
    });
  });

  describe('bad input changes nothing', () => {
    it('rejects malformed params and query strings with 400', async () => {
      for (const path of [
        '/students/abc',
        '/students/123',
        '/students?name[$gt]=a',
        '/students?name=%24where',
        '/students?course[$ne]=x',
        '/students?status=maybe',
        '/students?limit=1000',
        '/students?page=0',
        '/students?unknown=1',
        '/students/by-name/%24where',
        '/courses/MEDICINA!/ranking',
        '/courses/medicina/ranking?limit=0',
        '/courses/medicina/ranking?limit[$gt]=1',
      ]) {
        const res = await get(path);
        expect([path, res.status]).toEqual([path, 400]);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
    });

    it('rejects bad bodies and keeps MongoDB unchanged', async () => {
      const before = await students.countDocuments();
      const bad = [
        newStudent({ cpf: '529.982.247-26' }),
        newStudent({ cpf: '111.111.111-11' }),
        newStudent({ registration: '27' }),
        newStudent({ registration: { $gt: '' } }),
        newStudent({ course: 'astronomia' }),
        newStudent({ birth_date: '2007-02-30' }),
        newStudent({ email: 'not-an-email' }),
        newStudent({ scores: { languages: 1001, human_sciences: 1, natural_sciences: 1, mathematics: 1, essay: 1 } }),
        newStudent({ scores: { languages: { $gt: 1 }, human_sciences: 1, natural_sciences: 1, mathematics: 1, essay: 1 } }),
        newStudent({ scores: { languages: 1, human_sciences: 1, natural_sciences: 1, mathematics: 1 } }),
        newStudent({ $where: 'sleep(1000)' }),
        newStudent({ classification: 1 }),
        newStudent({ name: '<script>' }),
      ];
      for (const body of bad) {
        const res = await api.http.post('/students').set(adminAuth).send(body);
        expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      }
      await api.http.post('/students').send(newStudent()).expect(401);
      const wrong = await api.http.post('/students').set('Authorization', 'Bearer wrong-token-0123456789').send(newStudent());
      expect([401, 403]).toContain(wrong.status);
      const s = await someStudent();
      await api.http.patch(`/students/${s._id}`).set(adminAuth).send({}).expect(400);
      await api.http.patch(`/students/${s._id}`).set(adminAuth).send({ registration: '2700000009' }).expect(400);
      await api.http.patch(`/students/${s._id}`).set(adminAuth).send({ final_score: 1000 }).expect(400);
      await api.http.patch('/students/2999999999').set(adminAuth).send({ campus: 'Bauru' }).expect(404);
      await api.http.delete('/students/abc').set(adminAuth).expect(400);
      await api.http.delete(`/students/${s._id}`).expect(401);
      await api.http.post('/students/cache/warm').expect(401);
      expect(await students.countDocuments()).toBe(before);
      expect(await students.findOne({ _id: s._id })).toEqual(s);
    });
  });

  describe('admin writes', () => {
    it('creates a result, places it in the ranking and drops the shifted cached answers', async () => {
      const formerFirst = await students.findOne({ course: 'medicina', classification: 1 });
      await get(`/students/${formerFirst!._id}`).expect(200);
      await get('/courses/medicina/ranking').expect(200);
      expect((await get(`/students/${formerFirst!._id}`)).headers['x-cache']).toBe('HIT');

      const top = { languages: 1000, human_sciences: 1000, natural_sciences: 1000, mathematics: 1000, essay: 1000 };
      const created = await api.http
        .post('/students')
        .set(adminAuth)
        .send(newStudent({ scores: top }))
        .expect(201);
      expect(created.body).toMatchObject({
        registration: '2700000001',
        cpf: '529.982.247-25',
        email: 'maria.silva@example.com',
        final_score: 1000,
        classification: 1,
        status: 'approved',
      });
      const shifted = await get(`/students/${formerFirst!._id}`).expect(200);
      expect(shifted.headers['x-cache']).toBe('MISS');
      expect(shifted.body.classification).toBe(2);
      const ranking = await get('/courses/medicina/ranking').expect(200);
      expect(ranking.headers['x-cache']).toBe('MISS');
      expect(ranking.body.items[0].registration).toBe('2700000001');

      const dupRegistration = await api.http
        .post('/students')
        .set(adminAuth)
        .send(newStudent({ cpf: '123.456.789-09' }))
        .expect(409);
      expect(dupRegistration.body.message).toBe('registration already exists');
      const dupCpf = await api.http
        .post('/students')
        .set(adminAuth)
        .send(newStudent({ registration: '2700000002' }))
        .expect(409);
      expect(dupCpf.body.message).toBe('cpf already exists');
      await settle();
    });

    it('returns every student with a repeated name', async () => {
      await api.http
        .post('/students')
        .set(adminAuth)
        .send(newStudent({ registration: '2700000003', cpf: '12345678909', course: 'letras' }))
        .expect(201);
      await settle();
      const res = await get('/students/by-name/Maria%20da%20Silva').expect(200);
      expect(res.headers['x-cache']).toBe('MISS');
      expect(res.body.count).toBe(2);
      expect(res.body.items.map((s: { registration: string }) => s.registration).sort()).toEqual(['2700000001', '2700000003']);
      expect(res.body.items.every((s: { cpf: string }) => s.cpf.startsWith('***.'))).toBe(true);
      expect((await get('/students/by-name/Maria%20da%20Silva')).headers['x-cache']).toBe('HIT');
    });

    it('updates scores, recomputes the final score and rank, and drops the cached copies', async () => {
      await settle();
      const before = await get('/students/2700000003').expect(200);
      expect((await get('/students/2700000003')).headers['x-cache']).toBe('HIT');
      const scores = { languages: 100, human_sciences: 100, natural_sciences: 100, mathematics: 100, essay: 0 };
      const res = await api.http.patch('/students/2700000003').set(adminAuth).send({ scores, name: 'Maria da Silva Souza' }).expect(200);
      expect(res.body).toMatchObject({ final_score: finalScore(scores), name: 'Maria da Silva Souza' });
      const after = await get('/students/2700000003').expect(200);
      expect(after.headers['x-cache']).toBe('MISS');
      expect(after.body.classification).toBeGreaterThan(before.body.classification);
      const byOldName = await get('/students/by-name/Maria%20da%20Silva').expect(200);
      expect(byOldName.body.count).toBe(1);
      await settle();
    });

    it('DELETE removes the result from MongoDB and from both cache tiers', async () => {
      const s = await someStudent({ course: 'direito' });
      await get(`/students/${s._id}`).expect(200);
      expect((await get(`/students/${s._id}`)).headers['x-cache']).toBe('HIT');
      expect(await ctx.redis.exists(`students.${PUBLIC}:id:${s._id}`)).toBe(1);
      await api.http.delete(`/students/${s._id}`).set(adminAuth).expect(204);
      expect(await students.findOne({ _id: s._id })).toBeNull();
      expect(await ctx.redis.exists(`students.${PUBLIC}:id:${s._id}`)).toBe(0);
      await get(`/students/${s._id}`).expect(404);
      expect(await ctx.redis.exists(`students.${PUBLIC}:id:${s._id}`)).toBe(0);
      await api.http.delete(`/students/${s._id}`).set(adminAuth).expect(404);
      const ranks = (await students.find({ course: 'direito' }).sort({ classification: 1 }).toArray()).map((x) => x.classification);
      expect(ranks).toEqual(ranks.map((_, i) => i + 1));
      await settle();
    });
  });

  describe('warm-up', () => {
    it('loads every student into Redis with the same bytes the route caches', async () => {
      await ctx.redis.flushdb();
      const total = await students.countDocuments();
      const res = await api.http.post('/students/cache/warm').set(adminAuth).expect(200);
      expect(res.body).toMatchObject({ count: total, stored: total });
      expect(res.body.seconds).toEqual(expect.any(Number));
      let keys = 0;
      let cursor = '0';
      do {
        const [next, batch] = await ctx.redis.scan(cursor, 'MATCH', `students.${PUBLIC}:id:*`, 'COUNT', 1000);
        cursor = next;
        keys += batch.length;
      } while (cursor !== '0');
      expect(keys).toBe(total);
      const s = await someStudent({ course: 'letras' });
      const stored = await ctx.redis.getBuffer(`students.${PUBLIC}:id:${s._id}`);
      const served = await get(`/students/${s._id}`).expect(200);
      expect(served.headers['x-cache']).toBe('HIT');
      expect(served.text).toBe(storedAnswer(stored));
    });
  });

  describe('the change feed (writes made straight to MongoDB)', () => {
    it('serves a score changed by another MongoDB client within 1 s, without any API write', async () => {
      await settle();
      const s = await someStudent({ course: 'enfermagem' });
      await get(`/students/${s._id}`).expect(200);
      expect((await get(`/students/${s._id}`)).headers['x-cache']).toBe('HIT');
      const newMath = s.scores.mathematics === 999.5 ? 998.5 : 999.5;
      const started = Date.now();
      await students.updateOne({ _id: s._id }, { $set: { 'scores.mathematics': newMath } });
      const seen = await eventually(async () => (await get(`/students/${s._id}`)).body.scores?.mathematics === newMath, 1000);
      expect(seen).toBe(true);
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it('drops a student deleted straight from MongoDB, and its course ranking', async () => {
      await settle();
      const s = await someStudent({ course: 'psicologia' });
      await get(`/students/${s._id}`).expect(200);
      const ranking = await get('/courses/psicologia/ranking?limit=100').expect(200);
      expect(ranking.body.items.map((e: { registration: string }) => e.registration)).toContain(s._id);
      await students.deleteOne({ _id: s._id });
      expect(await eventually(async () => (await get(`/students/${s._id}`)).status === 404, 1000)).toBe(true);
      const after = await eventually(async () => {
        const r = await get('/courses/psicologia/ranking?limit=100');
        return !r.body.items.some((e: { registration: string }) => e.registration === s._id) && r;
      }, 1000);
      expect(after).toBeTruthy();
    });

    it('drops answers by the old name and the course ranking after an outside rename', async () => {
      await settle();
      const s = await students.findOne({ course: 'administracao', classification: 1 });
      await get(`/students/by-name/${encodeURIComponent(s!.name)}`).expect(200);
      await get('/courses/administracao/ranking?limit=1').expect(200);
      await students.updateOne({ _id: s!._id }, { $set: { name: 'Renomeado Fora Da API' } });
      const renamed = await eventually(async () => {
        const r = await get('/courses/administracao/ranking?limit=1');
        return r.body.items[0]?.name === 'Renomeado Fora Da API';
      }, 1000);
      expect(renamed).toBe(true);
      const byOld = await get(`/students/by-name/${encodeURIComponent(s!.name)}`);
      expect(byOld.headers['x-cache']).not.toBe('HIT');
      expect((byOld.body.items ?? []).some((x: { registration: string }) => x.registration === s!._id)).toBe(false);
    });

    it('keeps a second instance that does not follow the feed in sync too (the invalidation is broadcast)', async () => {
      await settle();
      const other = await ctx.startApp({ CACHE_TTL_SECONDS: 120, CACHE_FEED_ENABLED: false });
      expect(other.app.get(ChangeFeed).running).toBe(false);
      const s = await someStudent({ course: 'pedagogia' });
      await other.http.get(`/students/${s._id}`).expect(200);
      const hit = await other.http.get(`/students/${s._id}`).expect(200);
      expect([hit.headers['x-cache'], hit.headers['x-cache-tier']]).toEqual(['HIT', 'l1']);
      await students.updateOne({ _id: s._id }, { $set: { 'scores.languages': 12.5 } });
      const seen = await eventually(async () => (await other.http.get(`/students/${s._id}`)).body.scores?.languages === 12.5, 1000);
      expect(seen).toBe(true);
      await other.close();
    });

    it('resumes from its token after a stream error without missing the events in between', async () => {
      await settle();
      const s = await someStudent({ course: 'odontologia' });
      await get(`/students/${s._id}`).expect(200);
      const stream = studentsStream();
      stream.emit('error', Object.assign(new Error('simulated network error'), { code: 6 }));
      // Written while no stream is open: only a resume from the stored token can see it.
      await students.updateOne({ _id: s._id }, { $set: { campus: 'Bauru', 'scores.essay': 20 } });
      expect(await eventually(async () => (await get(`/students/${s._id}`)).body.campus === 'Bauru', 3000)).toBe(true);
      expect(feed.running).toBe(true);
    });

    it('falls back to TTL expiry with a warning where change streams are unavailable', async () => {
      const stream = studentsStream();
      stream.emit('error', Object.assign(new Error('The $changeStream stage is only supported on replica sets'), { code: 40573 }));
      expect(await eventually(() => !feed.running, 1000)).toBe(true);
    });
  });
});
