import { fakerPT_BR as faker } from '@faker-js/faker';
import { CAMPUSES, COURSES } from '../courses';
import { generatedCpf } from '../cpf';
import { finalScore, MAX_SCORE, Scores } from '../scoring';
import type { Student } from '../schemas/student.schema';
import { DEFAULT_EDITION_PUBLISHED_AT } from '../editions';
import { REGISTRATION_BASE } from './registration';

/** The results-day of generated data (fixed, so a seed always yields the same documents). */
export const RESULTS_PUBLISHED_AT = DEFAULT_EDITION_PUBLISHED_AT;

export interface BatchRequest {
  seed: number;
  edition: string;
  /** Stamped on every result as its publication instant (ms). */
  publishedAt: number;
  /** Batch number: faker is re-seeded with (seed, batch), so batches can be made in any order, on any thread. */
  batch: number;
  /** Candidate index of the batch's first document. */
  start: number;
  size: number;
}

const courseWeights = COURSES.map((c) => ({ weight: c.demand, value: c.code }));

/** The results-day project's generatePerson(), for one batch: realistic Brazilian candidates, deterministic per (seed, batch). */
export function generateStudents({ seed, edition, publishedAt, batch, start, size }: BatchRequest): Student[] {
  faker.seed([seed, batch]);
  const students: Student[] = [];
  for (let i = 0; i < size; i++) {
    const index = start + i;
    const sex = faker.person.sexType();
    const first = faker.person.firstName(sex);
    const last = faker.person.lastName();
    const middle = faker.helpers.maybe(() => faker.person.lastName(), { probability: 0.6 });
    const scores = generateScores();
    students.push({
      _id: String(REGISTRATION_BASE + index),
      edition,
      name: [first, middle, last].filter(Boolean).join(' '),
      cpf: generatedCpf(index),
      email: faker.internet.email({ firstName: first, lastName: last }).toLowerCase(),
      birth_date: birthDate(),
      course: faker.helpers.weightedArrayElement(courseWeights),
      campus: faker.helpers.arrayElement(CAMPUSES),
      scores,
      final_score: finalScore(scores),
      classification: null,
      status: null,
      published_at: new Date(publishedAt),
    });
  }
  return students;
}

/** Most candidates are 17–20; some come back later in life. Midnight UTC: a date, not an instant. */
function birthDate(): Date {
  const young = faker.datatype.boolean({ probability: 0.8 });
  const date = faker.date.birthdate({ mode: 'age', min: young ? 17 : 21, max: young ? 20 : 45, refDate: RESULTS_PUBLISHED_AT });
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** One ability per candidate plus noise per area, so areas correlate as real results do. */
function generateScores(): Scores {
  const ability = bell();
  const area = () => clamp(Math.round((520 + 110 * ability + 70 * bell()) * 10) / 10);
  // ENEM-style essays move in steps of 20; a few are zeroed (off-topic, blank).
  const essay = faker.datatype.boolean({ probability: 0.02 }) ? 0 : clamp(Math.round((600 + 150 * ability + 90 * bell()) / 20) * 20);
  return { languages: area(), human_sciences: area(), natural_sciences: area(), mathematics: area(), essay };
}

/** Roughly standard normal (sum of three uniforms), from the seeded generator. */
function bell(): number {
  return (faker.number.float() + faker.number.float() + faker.number.float() - 1.5) * 2;
}

function clamp(score: number): number {
  return Math.min(MAX_SCORE, Math.max(0, score));
}
