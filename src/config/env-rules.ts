import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';

/**
 * What a module's configuration slice (`<module>.env.ts`) may use besides class-validator: a slice
 * imports nothing else of the project, so `config/env.ts` can compose every slice without a cycle.
 */

/** Reads the raw string: implicit conversion would already have turned "false" into true. */
const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const raw = obj[key];
  if (typeof raw !== 'string') return raw;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  return raw; // not a boolean: IsBoolean reports it
};

/** A boolean variable: `true/false`, `1/0`, `yes/no`, `on/off` (any case). */
export function EnvBoolean(): PropertyDecorator {
  return (target, key) => {
    IsBoolean()(target, key);
    Transform(toBoolean)(target, key);
  };
}
