import type { FeedTarget } from './feed-source';

/** What one flush does, in this order: prefix clears, whole-namespace drops, then id/list invalidations. */
export interface FeedPlan {
  prefixes: string[];
  wholeNamespaces: string[];
  invalidations: { namespace: string; ids: string[] }[];
}

/**
 * Coalesces the targets of many change events into one plan: ids are merged per namespace, and a
 * namespace with more than `maxIds` changed ids is dropped whole (a bulk write of 50,000 documents
 * costs a few commands, not 50,000). A target already covered by a prefix clear is skipped.
 */
export class FeedBatch {
  private readonly ids = new Map<string, Set<string>>();
  private readonly whole = new Set<string>();
  private readonly prefixes = new Set<string>();
  /** Change events added since the last plan. */
  events = 0;

  constructor(private readonly maxIds: number) {}

  /** The targets of one change event. */
  add(targets: readonly FeedTarget[]): void {
    this.events++;
    this.drop(targets);
  }

  /** Targets that no event asked for (e.g. everything a collection feeds, when its history is unknown). */
  drop(targets: readonly FeedTarget[]): void {
    for (const target of targets) {
      if ('prefix' in target) this.prefixes.add(target.prefix);
      else if ('whole' in target) this.markWhole(target.namespace);
      else if (!this.whole.has(target.namespace)) {
        let ids = this.ids.get(target.namespace);
        if (!ids) this.ids.set(target.namespace, (ids = new Set()));
        for (const id of target.ids ?? []) ids.add(id);
        if (ids.size > this.maxIds) this.markWhole(target.namespace);
      }
    }
  }

  get empty(): boolean {
    return this.events === 0 && this.ids.size === 0 && this.whole.size === 0 && this.prefixes.size === 0;
  }

  /** The plan for everything added so far; the batch starts afresh. */
  take(): FeedPlan {
    const prefixes = [...this.prefixes];
    const covered = (namespace: string) => prefixes.some((p) => `${namespace}:`.startsWith(p));
    const plan: FeedPlan = {
      prefixes,
      wholeNamespaces: [...this.whole].filter((ns) => !covered(ns)),
      invalidations: [...this.ids].filter(([ns]) => !covered(ns)).map(([namespace, ids]) => ({ namespace, ids: [...ids] })),
    };
    this.ids.clear();
    this.whole.clear();
    this.prefixes.clear();
    this.events = 0;
    return plan;
  }

  private markWhole(namespace: string) {
    this.whole.add(namespace);
    this.ids.delete(namespace);
  }
}
