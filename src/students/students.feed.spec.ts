import { COURSE_CODES } from './courses';
import { visibleEditions } from './publication/visible-editions';
import { studentsFeed } from './students.feed';

describe('studentsFeed', () => {
  const after = { _id: '2700000001', name: 'Maria', course: 'medicina' };
  const schedule = new Map([
    ['2025-fuvest', 1],
    ['2026-fuvest', 2],
  ]);
  const now = visibleEditions(['2025-fuvest'], schedule);
  const coming = visibleEditions(['2025-fuvest', '2026-fuvest'], schedule);
  const feed = studentsFeed(() => [now]);
  const [a, b] = [now.fingerprint, coming.fingerprint];

  it('an insert drops the masked id key, the lists, the by-name answer and its course ranking', () => {
    expect(feed.targets({ operationType: 'insert', id: after._id, after })).toEqual([
      { namespace: `students.public-${a}`, ids: ['2700000001'] },
      { namespace: `students-by-name.public-${a}`, ids: ['Maria'] },
      { namespace: `rankings.medicina-${a}` },
    ]);
  });

  it('drops the same answers under every live set of editions: the one served now and the ones warmed for a coming instant', () => {
    const targets = studentsFeed(() => [now, coming]).targets({ operationType: 'insert', id: after._id, after });
    expect(targets).toEqual([
      { namespace: `students.public-${a}`, ids: ['2700000001'] },
      { namespace: `students-by-name.public-${a}`, ids: ['Maria'] },
      { namespace: `rankings.medicina-${a}` },
      { namespace: `students.public-${b}`, ids: ['2700000001'] },
      { namespace: `students-by-name.public-${b}`, ids: ['Maria'] },
      { namespace: `rankings.medicina-${b}` },
    ]);
  });

  it('with a pre-image, a rename and a course change drop the old and new name and both rankings only', () => {
    const before = { name: 'Maria Antiga', course: 'direito' };
    const targets = feed.targets({ operationType: 'update', id: after._id, after, before });
    expect(targets).toEqual([
      { namespace: `students.public-${a}`, ids: ['2700000001'] },
      { namespace: `students-by-name.public-${a}`, ids: ['Maria', 'Maria Antiga'] },
      { namespace: `rankings.medicina-${a}` },
      { namespace: `rankings.direito-${a}` },
    ]);
  });

  it('an update that says it left name and course alone keeps the other by-name answers and rankings', () => {
    const targets = feed.targets({ operationType: 'update', id: after._id, after, changedFields: ['scores.essay'] });
    expect(targets).toContainEqual({ namespace: `students-by-name.public-${a}`, ids: ['Maria'] });
    expect(targets).not.toContainEqual({ prefix: 'students-by-name.' });
  });

  it('without a pre-image or field list (the stand-in), drops every by-name answer and every ranking', () => {
    const targets = feed.targets({ operationType: 'delete', id: after._id });
    expect(targets).toContainEqual({ prefix: 'students-by-name.' });
    for (const course of COURSE_CODES) expect(targets).toContainEqual({ namespace: `rankings.${course}-${a}` });
  });

  it('an event without an _id drops the whole masked namespace', () => {
    expect(feed.targets({ operationType: 'update', after: null })).toContainEqual({ namespace: `students.public-${a}`, whole: true });
  });
});
