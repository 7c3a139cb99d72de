import { Transform } from 'class-transformer';

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/**
 * Query strings and JSON numbers to numbers, decimal notation only: `Number()` would also read
 * `0x10`, `0b1`, `1e3`, `Infinity` and `''`. Anything else becomes NaN, which the number
 * validators (`IsInt`, `IsNumber`) then report as a 400.
 */
export function DecimalNumber(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'number') return value;
    if (typeof value === 'string') return DECIMAL.test(value) ? Number(value) : Number.NaN;
    return value;
  });
}
