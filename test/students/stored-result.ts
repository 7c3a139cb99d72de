import { STUDENT_VIEW_CODEC } from '../../src/students/student-view.codec';

/**
 * The answer a result's Redis value holds: behind the deployment's mark (JSON whitespace, see
 * value-mark.ts) comes the packed form (see student-view.codec.ts), unpacked here.
 */
export function storedAnswer(value: Buffer | null): string | undefined {
  if (!value) return undefined;
  let start = 0;
  while (start < value.length && [0x20, 0x09, 0x0a, 0x0d].includes(value[start])) start++;
  const stored = value.subarray(start);
  return (STUDENT_VIEW_CODEC.decode(stored) ?? stored).toString();
}

/** Whether a Redis value holds the packed form rather than the answer's JSON. */
export function isPacked(value: Buffer | null): boolean {
  return !!value && value.toString().trimStart().charCodeAt(0) === 1;
}
