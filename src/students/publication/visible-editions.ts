import { createHash } from 'node:crypto';

/**
 * The editions whose results the public may see at one moment, and the fingerprint that names
 * that set in cache keys. Public answers are cached under `<namespace>.public-<fingerprint>`:
 * an answer depends on which editions are visible (a result is there or not, a list counts it or
 * not), so each set has its own keys. Entries warmed before an edition's instant live under the
 * fingerprint of the set that includes it, which no request computes before the gate opens:
 * the gate is in the key, whatever path (memory, Redis) would serve it.
 */
export interface VisibleEditions {
  /** Sorted edition ids. */
  readonly editions: readonly string[];
  readonly fingerprint: string;
  /** The most recently published edition (latest instant, then id): the default of the ranking route. */
  readonly latest?: string;
}

const known = new Map<string, VisibleEditions>();

/** `schedule` gives each edition's instant (ms); the set's object is shared, so requests compare by identity. */
export function visibleEditions(editions: Iterable<string>, schedule: ReadonlyMap<string, number>): VisibleEditions {
  const sorted = [...new Set(editions)].sort();
  const latest = [...sorted].sort((a, b) => (schedule.get(b) ?? 0) - (schedule.get(a) ?? 0) || (a < b ? 1 : -1))[0];
  const id = `${sorted.join(',')}|${latest ?? ''}`;
  let set = known.get(id);
  if (!set) {
    set = { editions: sorted, fingerprint: fingerprintOf(sorted), latest };
    if (known.size > 1000) known.clear();
    known.set(id, set);
  }
  return set;
}

/** 8 hex digits of the set's SHA-1: short, since it is part of every public key in Redis. */
export function fingerprintOf(editions: readonly string[]): string {
  return createHash('sha1').update(editions.join(',')).digest('hex').slice(0, 8);
}

/**
 * Every set the public will see from now on, in order: the one in effect at `redisNow` (undefined:
 * unknown, start from nothing published) and one per later instant. Cached answers of these sets
 * are the live ones: writes and the change feed drop entries under each of them.
 */
export function upcomingSets(schedule: ReadonlyMap<string, number>, redisNow?: number): VisibleEditions[] {
  const instants = [...new Set(schedule.values())].sort((a, b) => a - b);
  const from = redisNow === undefined ? -Infinity : redisNow;
  const sets = [visibleEditionsAt(schedule, from)];
  for (const at of instants) if (at > from) sets.push(visibleEditionsAt(schedule, at));
  return sets;
}

/** The set visible at Redis time `at`. */
export function visibleEditionsAt(schedule: ReadonlyMap<string, number>, at: number): VisibleEditions {
  return visibleEditions(
    [...schedule].filter(([, instant]) => instant <= at).map(([edition]) => edition),
    schedule,
  );
}
