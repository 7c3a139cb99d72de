import { type FeedChange, type FeedSource, type FeedTarget, shownDocuments } from '../infra/cache';
import { COURSE_CODES } from './courses';
import type { VisibleEditions } from './publication/visible-editions';
import { STUDENTS_COLLECTION } from './schemas/student.schema';
import {
  BY_NAME_BASE_NS,
  byNameNamespace,
  RANKINGS_BASE_NS,
  rankingNamespace,
  STUDENTS_BASE_NS,
  studentsNamespace,
} from './students.cache';

interface StudentFields {
  name?: string;
  course?: string;
}

/**
 * Any change to a student, wherever it was written, drops the masked answers it
 * may have altered, under every set of visible editions that is served now or will be (`liveSets`,
 * from the publication gate: answers warmed for a coming instant are corrected too). `_id` is the
 * registration, so even a delete (which carries only `_id`) names the key to drop. The old name
 * and course of a delete or rename come from pre-images when the collection has them (`collMod:
 * students, changeStreamPreAndPostImages: { enabled: true }`); without them every by-name answer
 * and every course ranking goes (the stand-in has no pre-images and sends empty update
 * descriptions, so there every update takes that path).
 */
export function studentsFeed(liveSets: () => readonly VisibleEditions[]): FeedSource<StudentFields> {
  return {
    collection: STUDENTS_COLLECTION,
    targets(change) {
      const shown = shownDocuments(change);
      const names = [...new Set(shown.flatMap((s) => (s.name ? [s.name] : [])))];
      const unknownOld = oldNameOrCourseUnknown(change);
      const courses = unknownOld ? COURSE_CODES : [...new Set(shown.flatMap((s) => (s.course ? [s.course] : [])))];
      const targets: FeedTarget[] = unknownOld ? [{ prefix: `${BY_NAME_BASE_NS}.` }] : [];
      for (const { fingerprint } of liveSets()) {
        const students = studentsNamespace(fingerprint);
        targets.push(change.id === undefined ? { namespace: students, whole: true } : { namespace: students, ids: [change.id] });
        if (!unknownOld) targets.push({ namespace: byNameNamespace(fingerprint), ids: names });
        for (const course of courses) targets.push({ namespace: rankingNamespace(course, fingerprint) });
      }
      return targets;
    },
    everything: [STUDENTS_BASE_NS, BY_NAME_BASE_NS, RANKINGS_BASE_NS].map((base) => ({ prefix: `${base}.` })),
  };
}

/** True unless the change is an insert, brings a pre-image, or says that neither name nor course changed. */
function oldNameOrCourseUnknown(change: FeedChange<StudentFields>): boolean {
  if (change.operationType === 'insert' || change.before) return false;
  if (change.operationType !== 'update' || !change.changedFields) return true;
  return change.changedFields.some((f) => f === 'name' || f === 'course');
}
