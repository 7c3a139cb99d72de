import { COURSES } from '../courses';
import type { BatchResults } from './student-generator';

/** Every candidate's results, in arrays indexed by the candidate's position in the run. */
export class RunResults {
  readonly course: Uint8Array;
  readonly finalScore: Float64Array;
  readonly essay: Float64Array;
  readonly birthDate: Float64Array;

  constructor(readonly size: number) {
    this.course = new Uint8Array(size);
    this.finalScore = new Float64Array(size);
    this.essay = new Float64Array(size);
    this.birthDate = new Float64Array(size);
  }

  /** Copies one batch's results in at `offset`. */
  put(offset: number, batch: BatchResults): void {
    this.course.set(batch.course, offset);
    this.finalScore.set(batch.finalScore, offset);
    this.essay.set(batch.essay, offset);
    this.birthDate.set(batch.birthDate, offset);
  }
}

/**
 * Each candidate's rank in their course, computed in memory with the order the MongoDB pipeline
 * uses (RANKING_SORT: final score, then essay, then the older candidate, then registration; the
 * registration grows with the position in the run). For a run that creates an edition: its
 * documents are inserted ranked, instead of ranked by MongoDB afterwards (a million candidates:
 * about a second here, minutes in the stand-in's pipeline).
 */
export function rankCandidates(run: RunResults): Int32Array {
  const ranks = new Int32Array(run.size);
  const members = COURSES.map(() => [] as number[]);
  for (let i = 0; i < run.size; i++) members[run.course[i]].push(i);
  const { finalScore, essay, birthDate } = run;
  for (const indices of members) {
    const order = Int32Array.from(indices).sort(
      (a, b) => finalScore[b] - finalScore[a] || essay[b] - essay[a] || birthDate[a] - birthDate[b] || a - b,
    );
    order.forEach((candidate, position) => (ranks[candidate] = position + 1));
  }
  return ranks;
}
