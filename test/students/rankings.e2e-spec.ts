/**
 * Course rankings against a straightforward computation: every candidate's rank and status, for an
 * edition the seeder ranks before inserting (a run that creates it) and after MongoDB re-ranks it
 * (a run that adds to it), at sizes where the pipeline works in several chunks per course.
 */
import type { Collection } from 'mongodb';
import { COURSES, statusForRank } from '../../src/students/courses';
import type { Student } from '../../src/students/schemas/student.schema';
import { StudentsSeeder } from '../../src/students/seed/students.seeder';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';

const EDITION = 'rank-check';

/** Rank = place in the course by final score, then essay, then the older candidate, then registration. */
function straightforward(students: Student[]): Map<string, { classification: number; status: string }> {
  const expected = new Map<string, { classification: number; status: string }>();
  for (const course of COURSES) {
    const ordered = students
      .filter((s) => s.course === course.code)
      .sort(
        (a, b) =>
          b.final_score - a.final_score ||
          b.scores.essay - a.scores.essay ||
          a.birth_date.getTime() - b.birth_date.getTime() ||
          (a._id < b._id ? -1 : 1),
      );
    ordered.forEach((s, i) => expected.set(s._id, { classification: i + 1, status: statusForRank(i + 1, course.seats) }));
  }
  return expected;
}

describe('course rankings', () => {
  let ctx: TestContext;
  let api: TestApp;
  let students: Collection<Student>;

  const wrongRanks = async () => {
    const all = await students.find({ edition: EDITION }).toArray();
    const expected = straightforward(all);
    const wrong = all.filter((s) => {
      const e = expected.get(s._id)!;
      return s.classification !== e.classification || s.status !== e.status;
    });
    return { total: all.length, wrong: wrong.slice(0, 3).map((s) => [s._id, s.classification, expected.get(s._id)]) };
  };

  beforeAll(async () => {
    ctx = await createTestContext('rankings');
    api = await ctx.startApp();
    students = ctx.mongo.db(ctx.dbName).collection<Student>('students');
  });
  afterAll(() => ctx.close());

  it('ranks a new edition before inserting it exactly as the straightforward computation does', async () => {
    const summary = await api.app.get(StudentsSeeder).seed({ seed: 21, count: 6000, reset: true, edition: EDITION });
    expect(summary.notes?.join(' ')).toMatch(/ranked 12 courses before inserting/);
    // Ties on the final score exist, so the tie-breaks are exercised.
    const scores = (await students.find({ edition: EDITION }).toArray()).map((s) => `${s.course} ${s.final_score}`);
    expect(new Set(scores).size).toBeLessThan(scores.length);
    expect(await wrongRanks()).toEqual({ total: 6000, wrong: [] });
  });

  it('ranks an edition again in MongoDB when a run adds to it, exactly as the straightforward computation does', async () => {
    const summary = await api.app.get(StudentsSeeder).seed({ seed: 22, count: 1500, edition: EDITION });
    expect(summary.notes?.join(' ')).toMatch(/ranked 12 courses in MongoDB/);
    expect(await wrongRanks()).toEqual({ total: 7500, wrong: [] });
  });
});
