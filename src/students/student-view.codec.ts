import type { L2Codec } from '../infra/cache';
import { SCORE_AREAS } from './scoring';

/** The fields of a StudentView, in the order toStudentView writes them. */
const FIELDS = [
  'registration',
  'edition',
  'name',
  'cpf',
  'email',
  'birth_date',
  'course',
  'campus',
  'scores',
  'final_score',
  'classification',
  'status',
  'published_at',
] as const;
/** First byte of the packed form: a JSON body never starts with it. */
const PACKED = 0x01;

type View = Record<(typeof FIELDS)[number], unknown> & { scores: Record<string, unknown> };

/**
 * A result's answer kept in Redis as its values without the field names (`[reg, edition, name,
 * ..., [5 scores], ...]`): about half the bytes, so a warm-up of a million results fits in about
 * half the memory. Only a body it rebuilds byte for byte is packed (checked on every encode);
 * anything else (lists, pages, a shape this code does not know) is stored as it is.
 */
export const STUDENT_VIEW_CODEC: L2Codec = {
  encode(body) {
    if (body[0] !== 0x7b) return undefined; // '{'
    let view: View;
    try {
      view = JSON.parse(body.toString()) as View;
    } catch {
      return undefined;
    }
    if (!hasKeys(view, FIELDS) || !hasKeys(view.scores, SCORE_AREAS)) return undefined;
    const values = FIELDS.map((field) => (field === 'scores' ? SCORE_AREAS.map((area) => view.scores[area]) : view[field]));
    const packed = Buffer.concat([Buffer.of(PACKED), Buffer.from(JSON.stringify(values))]);
    return unpack(packed).equals(body) ? packed : undefined;
  },
  decode(stored) {
    return stored[0] === PACKED ? unpack(stored) : undefined;
  },
};

function unpack(packed: Buffer): Buffer {
  const values = JSON.parse(packed.toString('utf8', 1)) as unknown[];
  const view: Record<string, unknown> = {};
  FIELDS.forEach((field, i) => {
    view[field] = field === 'scores' ? Object.fromEntries(SCORE_AREAS.map((area, j) => [area, (values[i] as unknown[])[j]])) : values[i];
  });
  return Buffer.from(JSON.stringify(view));
}

function hasKeys(value: unknown, keys: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const own = Object.keys(value);
  return own.length === keys.length && own.every((key, i) => key === keys[i]);
}
