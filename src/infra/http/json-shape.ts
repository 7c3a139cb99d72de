/** Bounds on the shape of a JSON text, checked before it is parsed. */
export interface JsonShapeLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Keys of one object. */
  maxKeysPerObject: number;
  /** Elements of one array. */
  maxArrayLength: number;
  /** Object keys plus array elements in the whole text. */
  maxValues: number;
  /** Characters of one string (keys included); an escape sequence counts as one. */
  maxStringLength: number;
}

/** A limit the text goes past: 400 for nesting (as before), 413 for sizes. */
export interface ShapeViolation {
  statusCode: 400 | 413;
  message: string;
}

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const U = 0x75;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The first limit `text` goes past, or undefined. One pass over the characters with a fixed-size
 * stack (it stops past `maxDepth`), so refusing costs time linear in the bytes received and no
 * memory per token: nothing recursive or superlinear (JSON.parse into a dictionary-mode object,
 * class-transformer copying keys one `indexOf` at a time, validators) sees an oversized body.
 * It does not check the syntax: JSON.parse does, after.
 */
export function jsonShapeViolation(text: string, limits: JsonShapeLimits): ShapeViolation | undefined {
  const isObject = new Uint8Array(limits.maxDepth + 2);
  const counts = new Uint32Array(limits.maxDepth + 2);
  // The container at `depth` has not seen its first member yet.
  const empty = new Uint8Array(limits.maxDepth + 2);
  let depth = 0;
  let values = 0;
  const tooLarge = (what: string, at: number): ShapeViolation => ({
    statusCode: 413,
    message: `the JSON body has ${what} (at character ${at})`,
  });
  const countMember = (at: number): ShapeViolation | undefined => {
    const count = ++counts[depth];
    if (++values > limits.maxValues) return tooLarge(`more than ${limits.maxValues} keys and array elements in all`, at);
    if (isObject[depth]) {
      if (count > limits.maxKeysPerObject) return tooLarge(`an object with more than ${limits.maxKeysPerObject} keys`, at);
    } else if (count > limits.maxArrayLength) return tooLarge(`an array with more than ${limits.maxArrayLength} elements`, at);
    return undefined;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) continue;
    if (depth > 0 && empty[depth]) {
      empty[depth] = 0;
      if (c !== CLOSE_OBJECT && c !== CLOSE_ARRAY) {
        const violation = countMember(i);
        if (violation) return violation;
      }
    }
    if (c === QUOTE) {
      const start = i;
      let length = 0;
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === QUOTE) break;
        if (s === BACKSLASH) i += text.charCodeAt(i + 1) === U ? 5 : 1;
        if (++length > limits.maxStringLength) return tooLarge(`a string longer than ${limits.maxStringLength} characters`, start);
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limits.maxDepth) {
        return { statusCode: 400, message: `the JSON body is nested more than ${limits.maxDepth} levels deep` };
      }
      isObject[depth] = c === OPEN_OBJECT ? 1 : 0;
      counts[depth] = 0;
      empty[depth] = 1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
    } else if (c === COMMA && depth > 0) {
      const violation = countMember(i);
      if (violation) return violation;
    }
  }
  return undefined;
}
