import { type FeedChange, type FeedSource, type FeedTarget, shownDocuments } from '../infra/cache';
import { COURSE_CODES } from './courses';
import { STUDENTS_COLLECTION } from './schemas/student.schema';
import { BY_NAME_BASE_NS, BY_NAME_NS, RANKINGS_BASE_NS, rankingNamespace, STUDENTS_BASE_NS, STUDENTS_NS } from './students.cache';

interface StudentFields {
  name?: string;
  course?: string;
}

/**
 * Any change to a student, wherever it was written, drops the masked answers it
 * may have altered. `_id` is the registration, so even a delete (which carries only `_id`) names the
 * key to drop. The old name and course of a delete or rename come from pre-images when the
 * collection has them (`collMod: students, changeStreamPreAndPostImages: { enabled: true }`); without
 * them every by-name answer and every course ranking goes (the stand-in has no pre-images and sends
 * empty update descriptions, so there every update takes that path).
 */
export const STUDENTS_FEED: FeedSource<StudentFields> = {
  collection: STUDENTS_COLLECTION,
  targets(change) {
    const shown = shownDocuments(change);
    const names = new Set(shown.flatMap((s) => (s.name ? [s.name] : [])));
    const courses = new Set(shown.flatMap((s) => (s.course ? [s.course] : [])));
    const targets: FeedTarget[] = [
      change.id === undefined ? { namespace: STUDENTS_NS, whole: true } : { namespace: STUDENTS_NS, ids: [change.id] },
    ];
    if (oldNameOrCourseUnknown(change)) {
      targets.push({ prefix: `${BY_NAME_BASE_NS}.` });
      for (const course of COURSE_CODES) targets.push({ namespace: rankingNamespace(course) });
    } else {
      targets.push({ namespace: BY_NAME_NS, ids: [...names] });
      for (const course of courses) targets.push({ namespace: rankingNamespace(course) });
    }
    return targets;
  },
  everything: [STUDENTS_BASE_NS, BY_NAME_BASE_NS, RANKINGS_BASE_NS].map((base) => ({ prefix: `${base}.` })),
};

/** True unless the change is an insert, brings a pre-image, or says that neither name nor course changed. */
function oldNameOrCourseUnknown(change: FeedChange<StudentFields>): boolean {
  if (change.operationType === 'insert' || change.before) return false;
  if (change.operationType !== 'update' || !change.changedFields) return true;
  return change.changedFields.some((f) => f === 'name' || f === 'course');
}
