import type { mongo } from 'mongoose';
import { Course, WAITING_LIST_FACTOR } from './courses';
import type { Student } from './schemas/student.schema';

/** Ranking order: final score, then essay, then the older candidate (the usual vestibular tie-break), then registration. */
export const RANKING_SORT = { final_score: -1, 'scores.essay': -1, birth_date: 1, _id: 1 } as const;

/**
 * Writes `classification` and `status` of every student of one course, computed by MongoDB.
 *
 * On MongoDB 5+ the direct form is one `$setWindowFields` stage with `$rank` (or `$documentNumber`)
 * partitioned by course. The stand-in the tests run on lacks `$setWindowFields` (and `$switch`), so
 * this uses the portable form: sort, push the ordered ids into one array, unwind it with
 * `includeArrayIndex` (the index is the rank - 1), and `$merge` the result back by `_id`.
 * One array per course stays far below the 16 MB document limit (about 20 bytes per registration).
 */
export function courseRankingPipeline(course: Course, collection: string): object[] {
  const waitingListEnd = course.seats * (1 + WAITING_LIST_FACTOR);
  return [
    { $match: { course: course.code } },
    { $project: { final_score: 1, 'scores.essay': 1, birth_date: 1 } },
    { $sort: RANKING_SORT },
    { $group: { _id: null, ids: { $push: '$_id' } } },
    { $unwind: { path: '$ids', includeArrayIndex: 'index' } },
    {
      $project: {
        _id: '$ids',
        classification: { $add: ['$index', 1] },
        status: {
          $cond: [
            { $lt: ['$index', course.seats] },
            'approved',
            { $cond: [{ $lt: ['$index', waitingListEnd] }, 'waiting_list', 'not_classified'] },
          ],
        },
      },
    },
    { $merge: { into: collection, on: '_id', whenMatched: 'merge', whenNotMatched: 'discard' } },
  ];
}

export async function rankCourse(collection: mongo.Collection<Student>, course: Course): Promise<void> {
  await collection.aggregate(courseRankingPipeline(course, collection.collectionName), { allowDiskUse: true }).toArray();
}
