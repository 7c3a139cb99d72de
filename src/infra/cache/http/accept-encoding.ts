import type { Coding } from '../core/encodings';

export type { Coding };

/** Distinct Accept-Encoding values are few (one per client kind): parsed once each. */
const parsed = new Map<string, Coding | undefined>();
const MAX_REMEMBERED = 256;

/**
 * The coding to send a client whose `Accept-Encoding` is `header`, undefined for identity
 * (RFC 9110 §12.5.3): the acceptable coding with the highest q (br on a tie); q=0 refuses;
 * `*` stands for codings not named; identity wins only when the client ranks it higher.
 */
export function preferredCoding(header: string | undefined): Coding | undefined {
  if (!header) return undefined;
  if (parsed.has(header)) return parsed.get(header);
  const coding = negotiate(header);
  if (parsed.size >= MAX_REMEMBERED) parsed.clear();
  parsed.set(header, coding);
  return coding;
}

function negotiate(header: string): Coding | undefined {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (!coding) continue;
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim().toLowerCase() === 'q') weight = Number(value);
    }
    if (!Number.isFinite(weight) || weight < 0 || weight > 1) continue; // a malformed entry counts for nothing
    q.set(coding === 'x-gzip' ? 'gzip' : coding, weight);
  }
  const weightOf = (coding: string) => q.get(coding) ?? q.get('*') ?? 0;
  const br = weightOf('br');
  const gzip = weightOf('gzip');
  const best: Coding | undefined = br > 0 && br >= gzip ? 'br' : gzip > 0 ? 'gzip' : undefined;
  if (!best) return undefined;
  const identity = q.get('identity');
  return identity !== undefined && identity > Math.max(br, gzip) ? undefined : best;
}
