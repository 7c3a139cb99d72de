import { toStudentView } from './dto/student.response';
import { generateStudents } from './seed/student-generator';
import { STUDENT_VIEW_CODEC } from './student-view.codec';

describe('STUDENT_VIEW_CODEC', () => {
  const students = generateStudents({
    seed: 1,
    edition: '2027-fuvest',
    publishedAt: Date.UTC(2027, 0, 29, 15),
    batch: 0,
    start: 0,
    size: 500,
  });
  students.forEach((s, i) => Object.assign(s, { classification: i + 1, status: i % 2 ? 'approved' : 'waiting_list' }));
  const bodies = students.map((s) => Buffer.from(JSON.stringify(toStudentView(s, false))));

  it('packs a result to about half its bytes and gives back exactly the same bytes', () => {
    let packed = 0;
    for (const body of bodies) {
      const stored = STUDENT_VIEW_CODEC.encode(body)!;
      expect(stored[0]).toBe(1);
      expect(STUDENT_VIEW_CODEC.decode(stored)!.equals(body)).toBe(true);
      packed += stored.length;
    }
    const plain = bodies.reduce((sum, b) => sum + b.length, 0);
    expect(packed / plain).toBeLessThan(0.6);
  });

  it('keeps names with accents and quotes, unranked results and nulls exact', () => {
    const view = { ...toStudentView(students[0], false), name: 'Conceição D\'Ávila "Zé"', classification: null, status: null };
    const body = Buffer.from(JSON.stringify(view));
    expect(STUDENT_VIEW_CODEC.decode(STUDENT_VIEW_CODEC.encode(body)!)!.toString()).toBe(body.toString());
  });

  it('stores anything else as it is: lists, pages, other shapes, fields out of order or missing', () => {
    const view = toStudentView(students[0], false);
    const { email: _email, ...withoutEmail } = view;
    for (const other of [
      { items: [view], total: 1, page: 1, limit: 20 },
      [view],
      { ...withoutEmail },
      Object.fromEntries(Object.entries(view).reverse()),
      { ...view, extra: 1 },
      { ...view, scores: { ...view.scores, bonus: 1 } },
    ]) {
      expect(STUDENT_VIEW_CODEC.encode(Buffer.from(JSON.stringify(other)))).toBeUndefined();
    }
    expect(STUDENT_VIEW_CODEC.encode(Buffer.from('{not json'))).toBeUndefined();
    expect(STUDENT_VIEW_CODEC.decode(Buffer.from('{"a":1}'))).toBeUndefined();
  });
});
