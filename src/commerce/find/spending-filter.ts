import { exceedsValues } from '../../common/free-form-object';
import { hasForbiddenCharacters } from '../../common/text-rules';
import { MONTH_KEYS } from '../commerce.constants';

/** A filter the table cannot safely or meaningfully run; the message says what and where. */
export class SpendingFilterError extends Error {}

type FieldType = 'string' | 'number';

const STRING_FIELDS = new Set(['_id', 'customer_id', 'email', 'details.first_name', 'details.last_name']);
const MONTHS = new Set<string>(MONTH_KEYS);
/** Longest category name in a filter (the catalogue's are under 30). */
export const MAX_CATEGORY_LENGTH = 60;
/** Category names are data (keys of the table's objects): text without "." or a leading "$"... */
const CATEGORY = new RegExp(`^[^.$][^.]{0,${MAX_CATEGORY_LENGTH - 1}}$`);
/** ...and without control or bidirectional-override characters (a NUL in a key is a BSON error). */
const isCategory = (name: string) => CATEGORY.test(name) && !hasForbiddenCharacters(name);
/** Longest string compared in a filter (an e-mail address is at most 254). */
export const MAX_FILTER_STRING_LENGTH = 254;

const COMPARISONS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);
const LIST_OPERATORS = new Set(['$in', '$nin']);
const LOGICAL = new Set(['$and', '$or', '$nor']);
/** Named so the message can say why: these run JavaScript (or arbitrary expressions) on the server. */
const JAVASCRIPT = new Set(['$where', '$function', '$accumulator', '$expr']);

const MAX_DEPTH = 8;
const MAX_BRANCHES = 100;
const MAX_LIST = 1000;
/** Keys and array elements of a whole filter: bounds the work of checking, keying and running it. */
export const MAX_FILTER_VALUES = 2000;

/** The type of a queryable leaf of the table, or undefined for anything else. */
export function fieldType(path: string): FieldType | undefined {
  if (STRING_FIELDS.has(path)) return 'string';
  if (path === 'monthly_avg_expense') return 'number';
  const parts = path.split('.');
  if (parts[0] === 'monthly_spenses') return parts.length === 2 && MONTHS.has(parts[1]) ? 'number' : undefined;
  if (parts[0] === 'categorized_monthly_expenses') {
    return parts.length === 3 && MONTHS.has(parts[1]) && isCategory(parts[2]) ? 'number' : undefined;
  }
  if (parts[0] === 'categorized_monthly_avg_expense') return parts.length === 2 && isCategory(parts[1]) ? 'number' : undefined;
  return undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/**
 * Checks a `find` filter for the spending table: only the table's leaf fields (dotted paths), only
 * comparison, set, existence and logical operators, values of the field's type. Anything else
 * ($where, $function, $accumulator, $expr, $regex, unknown fields, embedded-document equality) is
 * refused with the place it was found. Returns the filter unchanged when it is acceptable.
 */
export function validateSpendingFilter(filter: unknown): Record<string, unknown> {
  if (!isPlainObject(filter)) throw new SpendingFilterError('filter must be a JSON object, e.g. {"monthly_avg_expense": {"$gt": 100}}');
  if (exceedsValues(filter, MAX_FILTER_VALUES)) {
    throw new SpendingFilterError(`filter is too large: at most ${MAX_FILTER_VALUES} keys and array elements in all`);
  }
  checkFilter(filter, 'filter', 0);
  return filter;
}

/** The CLI's entry: JSON text in, a validated filter out. */
export function parseSpendingFilter(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SpendingFilterError(`filter is not valid JSON: ${(error as Error).message}`);
  }
  return validateSpendingFilter(parsed);
}

function checkFilter(filter: Record<string, unknown>, where: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new SpendingFilterError(`${where}: nested more than ${MAX_DEPTH} levels deep`);
  for (const [key, value] of Object.entries(filter)) {
    const at = `${where}.${key}`;
    if (key.startsWith('$')) {
      if (!LOGICAL.has(key)) throw disallowed(key, where, 'at the top of a filter only $and, $or and $nor are allowed');
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BRANCHES) {
        throw new SpendingFilterError(`${at}: ${key} takes a non-empty array of at most ${MAX_BRANCHES} filters`);
      }
      value.forEach((branch, i) => {
        if (!isPlainObject(branch)) throw new SpendingFilterError(`${at}[${i}]: each ${key} branch must be an object`);
        checkFilter(branch, `${at}[${i}]`, depth + 1);
      });
      continue;
    }
    const type = fieldType(key);
    if (!type) throw new SpendingFilterError(`${at}: unknown field "${key}"; ${FIELD_HELP}`);
    checkCondition(value, type, at, depth + 1);
  }
}

/** A field's condition: a literal (implicit $eq) or an object of operators. */
function checkCondition(value: unknown, type: FieldType, at: string, depth: number): void {
  if (!isPlainObject(value)) {
    checkScalar(value, type, at);
    return;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) throw new SpendingFilterError(`${at}: an empty object matches nothing useful; give a value or operators`);
  if (!keys.every((k) => k.startsWith('$'))) {
    throw new SpendingFilterError(`${at}: compare leaf fields with dotted paths (e.g. "details.first_name"), not embedded documents`);
  }
  for (const op of keys) {
    const operand = value[op];
    const opAt = `${at}.${op}`;
    if (COMPARISONS.has(op)) checkScalar(operand, type, opAt);
    else if (LIST_OPERATORS.has(op)) {
      if (!Array.isArray(operand) || operand.length > MAX_LIST)
        throw new SpendingFilterError(`${opAt}: takes an array of at most ${MAX_LIST} values`);
      operand.forEach((item, i) => checkScalar(item, type, `${opAt}[${i}]`));
    } else if (op === '$exists') {
      if (typeof operand !== 'boolean') throw new SpendingFilterError(`${opAt}: takes true or false`);
    } else if (op === '$not') {
      if (!isPlainObject(operand)) throw new SpendingFilterError(`${opAt}: takes an object of operators, e.g. {"$gt": 10}`);
      if (depth > MAX_DEPTH) throw new SpendingFilterError(`${opAt}: nested more than ${MAX_DEPTH} levels deep`);
      checkCondition(operand, type, opAt, depth + 1);
    } else throw disallowed(op, at, `allowed on a field: ${FIELD_OPERATORS}`);
  }
}

function checkScalar(value: unknown, type: FieldType, at: string): void {
  if (value === null) return; // matches a missing field, as in MongoDB
  if (type === 'number' && typeof value === 'number' && Number.isFinite(value)) return;
  if (type === 'string' && typeof value === 'string') {
    if (value.length <= MAX_FILTER_STRING_LENGTH && !hasForbiddenCharacters(value)) return;
    throw new SpendingFilterError(
      `${at}: text is at most ${MAX_FILTER_STRING_LENGTH} characters, without control or bidirectional-override characters`,
    );
  }
  if (isPlainObject(value) || Array.isArray(value))
    throw new SpendingFilterError(`${at}: expected a ${type}, got ${Array.isArray(value) ? 'an array' : 'an object'}`);
  throw new SpendingFilterError(`${at}: expected a ${type}, got ${JSON.stringify(value)}`);
}

function disallowed(op: string, where: string, hint: string): SpendingFilterError {
  if (JAVASCRIPT.has(op))
    return new SpendingFilterError(`${where}: ${op} is not allowed: it runs JavaScript or server-side expressions; use query operators`);
  return new SpendingFilterError(`${where}: operator ${op} is not allowed; ${hint}`);
}

const FIELD_OPERATORS = '$eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $not';
const FIELD_HELP =
  'queryable fields: _id, customer_id, email, details.first_name, details.last_name, monthly_spenses.<month>, ' +
  `categorized_monthly_expenses.<month>.<category>, monthly_avg_expense, categorized_monthly_avg_expense.<category> (months: ${MONTH_KEYS.join(', ')})`;

/** The filter with object keys sorted at every level: equal filters give one cache key. */
export function canonicalFilter(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalFilter);
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonicalFilter(value[k])]),
    );
  }
  return value;
}
