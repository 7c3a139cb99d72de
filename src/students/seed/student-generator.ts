import { fakerPT_BR as faker, SimpleFaker } from '@faker-js/faker';
import { CAMPUSES, COURSES, statusForRank } from '../courses';
import { generatedCpf } from '../cpf';
import { DEFAULT_EDITION_PUBLISHED_AT } from '../editions';
import { finalScore, MAX_SCORE, Scores } from '../scoring';
import type { Student } from '../schemas/student.schema';
import { REGISTRATION_BASE } from './registration';

/** The results-day of generated data (fixed, so a seed always yields the same documents). */
export const RESULTS_PUBLISHED_AT = DEFAULT_EDITION_PUBLISHED_AT;

export interface BatchRequest {
  seed: number;
  edition: string;
  /** Stamped on every result as its publication instant (ms). */
  publishedAt: number;
  /** Batch number: the generators are re-seeded with (seed, batch), so batches can be made in any order, on any thread. */
  batch: number;
  /** Candidate index of the batch's first document. */
  start: number;
  size: number;
  /** Each candidate's rank in their course (0: unranked), when known before inserting (see rankCandidates). */
  ranks?: Int32Array;
}

/** What ranks a batch's candidates, in compact arrays (cheap to pass between threads): course index, final score, essay, birth date. */
export interface BatchResults {
  course: Uint8Array;
  finalScore: Float64Array;
  essay: Float64Array;
  birthDate: Float64Array;
}

const courseWeights = COURSES.map((c, index) => ({ weight: c.demand, value: index }));
/**
 * Results (course, scores, birth date) come from a stream of their own, seeded apart from names
 * and e-mails: the seeder can rank a million candidates from results alone, before it makes any
 * document, and the documents then carry their rank when inserted.
 */
const results = new SimpleFaker();

/** One batch of generated candidates: realistic Brazilian candidates, deterministic per (seed, batch). */
export function generateStudents({ seed, edition, publishedAt, batch, start, size, ranks }: BatchRequest): Student[] {
  const { compact: batchResults, scores } = drawResults(seed, batch, size, true);
  faker.seed([seed, batch]);
  const students: Student[] = [];
  for (let i = 0; i < size; i++) {
    const index = start + i;
    const sex = faker.person.sexType();
    const first = faker.person.firstName(sex);
    const last = faker.person.lastName();
    const middle = faker.helpers.maybe(() => faker.person.lastName(), { probability: 0.6 });
    const course = COURSES[batchResults.course[i]];
    const rank = ranks?.[i] ?? 0;
    students.push({
      _id: String(REGISTRATION_BASE + index),
      edition,
      name: [first, middle, last].filter(Boolean).join(' '),
      cpf: generatedCpf(index),
      email: faker.internet.email({ firstName: first, lastName: last }).toLowerCase(),
      birth_date: new Date(batchResults.birthDate[i]),
      course: course.code,
      campus: faker.helpers.arrayElement(CAMPUSES),
      scores: scores![i],
      final_score: batchResults.finalScore[i],
      classification: rank > 0 ? rank : null,
      status: rank > 0 ? statusForRank(rank, course.seats) : null,
      published_at: new Date(publishedAt),
    });
  }
  return students;
}

/** A batch's results alone, what ranks its candidates: course, final score, essay and birth date. */
export function generateResults({ seed, batch, size }: Pick<BatchRequest, 'seed' | 'batch' | 'size'>): BatchResults {
  return drawResults(seed, batch, size, false).compact;
}

function drawResults(seed: number, batch: number, size: number, keepScores: boolean): { compact: BatchResults; scores?: Scores[] } {
  results.seed([seed, batch, 1]);
  const compact: BatchResults = {
    course: new Uint8Array(size),
    finalScore: new Float64Array(size),
    essay: new Float64Array(size),
    birthDate: new Float64Array(size),
  };
  const kept: Scores[] = [];
  for (let i = 0; i < size; i++) {
    compact.course[i] = results.helpers.weightedArrayElement(courseWeights);
    const scores = generateScores();
    if (keepScores) kept.push(scores);
    compact.finalScore[i] = finalScore(scores);
    compact.essay[i] = scores.essay;
    compact.birthDate[i] = birthDate();
  }
  return { compact, scores: keepScores ? kept : undefined };
}

/** Most candidates are 17–20; some come back later in life. Midnight UTC: a date, not an instant. */
function birthDate(): number {
  const young = results.datatype.boolean({ probability: 0.8 });
  const date = results.date.birthdate({ mode: 'age', min: young ? 17 : 21, max: young ? 20 : 45, refDate: RESULTS_PUBLISHED_AT });
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/** One ability per candidate plus noise per area, so areas correlate as real results do. */
function generateScores(): Scores {
  const ability = bell();
  const area = () => clamp(Math.round((520 + 110 * ability + 70 * bell()) * 10) / 10);
  // ENEM-style essays move in steps of 20; a few are zeroed (off-topic, blank).
  const essay = results.datatype.boolean({ probability: 0.02 }) ? 0 : clamp(Math.round((600 + 150 * ability + 90 * bell()) / 20) * 20);
  return { languages: area(), human_sciences: area(), natural_sciences: area(), mathematics: area(), essay };
}

/** Roughly standard normal (sum of three uniforms), from the seeded generator. */
function bell(): number {
  return (results.number.float() + results.number.float() + results.number.float() - 1.5) * 2;
}

function clamp(score: number): number {
  return Math.min(MAX_SCORE, Math.max(0, score));
}
