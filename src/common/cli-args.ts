/** Parses a command-line flag that must be a whole number (0 allowed), naming the flag when it is not. */
export function parseNonNegativeInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}
