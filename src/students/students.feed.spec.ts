import { COURSE_CODES } from './courses';
import { STUDENTS_FEED } from './students.feed';

describe('STUDENTS_FEED', () => {
  const after = { _id: '2700000001', name: 'Maria', course: 'medicina' };

  it('an insert drops the masked id key, the lists, the by-name answer and its course ranking', () => {
    expect(STUDENTS_FEED.targets({ operationType: 'insert', id: after._id, after })).toEqual([
      { namespace: 'students.public', ids: ['2700000001'] },
      { namespace: 'students-by-name.public', ids: ['Maria'] },
      { namespace: 'rankings.medicina' },
    ]);
  });

  it('with a pre-image, a rename and a course change drop the old and new name and both rankings only', () => {
    const before = { name: 'Maria Antiga', course: 'direito' };
    const targets = STUDENTS_FEED.targets({ operationType: 'update', id: after._id, after, before });
    expect(targets).toEqual([
      { namespace: 'students.public', ids: ['2700000001'] },
      { namespace: 'students-by-name.public', ids: ['Maria', 'Maria Antiga'] },
      { namespace: 'rankings.medicina' },
      { namespace: 'rankings.direito' },
    ]);
  });

  it('an update that says it left name and course alone keeps the other by-name answers and rankings', () => {
    const targets = STUDENTS_FEED.targets({ operationType: 'update', id: after._id, after, changedFields: ['scores.essay'] });
    expect(targets).toContainEqual({ namespace: 'students-by-name.public', ids: ['Maria'] });
    expect(targets).not.toContainEqual({ prefix: 'students-by-name.' });
  });

  it('without a pre-image or field list (the stand-in), drops every by-name answer and every ranking', () => {
    const targets = STUDENTS_FEED.targets({ operationType: 'delete', id: after._id });
    expect(targets).toContainEqual({ prefix: 'students-by-name.' });
    for (const course of COURSE_CODES) expect(targets).toContainEqual({ namespace: `rankings.${course}` });
  });

  it('an event without an _id drops the whole masked namespace', () => {
    expect(STUDENTS_FEED.targets({ operationType: 'update', after: null })[0]).toEqual({ namespace: 'students.public', whole: true });
  });
});
