import type { FeedTarget } from './feed-source';

/** One key an event would drop, and the event's clusterTime (see AppliedWrites in the cache's redis folder). */
export interface OwnWriteCheck {
  namespace: string;
  /** Undefined: the namespace's lists alone. */
  id?: string;
  time: string;
}

/** Answers, for each check, whether the API recorded invalidating that key after the write at that time. */
export type OwnWriteLookup = (checks: readonly OwnWriteCheck[]) => Promise<boolean[]>;

interface Candidate {
  targets: readonly FeedTarget[];
  checks: OwnWriteCheck[];
}

/**
 * Holds back the events of a batch that the API may have invalidated itself, until the batch is
 * flushed: those whose every target is an id or a namespace's lists (never a whole namespace or a
 * prefix, which no API write records) and that carry a clusterTime. At flush, one lookup per
 * namespace tells which were; those are skipped, the others go to the batch like any event.
 * At most `max` candidates per batch: past that (a bulk write) events are batched at once.
 */
export class OwnWrites {
  private candidates: Candidate[] = [];
  /** Events skipped since start. */
  skipped = 0;

  constructor(
    private readonly lookup: OwnWriteLookup,
    private readonly max: number,
  ) {}

  get size(): number {
    return this.candidates.length;
  }

  /** Keeps the event for the check at flush and answers true, or answers false (batch it now). */
  offer(targets: readonly FeedTarget[], time: string | undefined): boolean {
    if (time === undefined || this.candidates.length >= this.max || targets.length === 0) return false;
    const checks: OwnWriteCheck[] = [];
    for (const target of targets) {
      if (!('namespace' in target) || 'whole' in target) return false;
      if (!target.ids?.length) checks.push({ namespace: target.namespace, time });
      else for (const id of target.ids) checks.push({ namespace: target.namespace, id, time });
    }
    this.candidates.push({ targets, checks });
    return true;
  }

  /** The targets of the held events the API did not invalidate itself (all of them if the lookup fails). */
  async sift(): Promise<(readonly FeedTarget[])[]> {
    const candidates = this.candidates;
    this.candidates = [];
    if (candidates.length === 0) return [];
    const answers = await this.lookup(candidates.flatMap((c) => c.checks)).catch(() => [] as boolean[]);
    let next = 0;
    const kept: (readonly FeedTarget[])[] = [];
    for (const candidate of candidates) {
      const covered = candidate.checks.every((_, i) => answers[next + i] === true);
      next += candidate.checks.length;
      if (covered) this.skipped++;
      else kept.push(candidate.targets);
    }
    return kept;
  }
}
