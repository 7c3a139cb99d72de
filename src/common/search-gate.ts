import type { Env } from '../config/env';
import { BoundedPool } from './bounded-pool';
import { RetryLaterException } from './retry-later.exception';

/** MongoDB's error code for an operation stopped at its maxTimeMS. */
const MAX_TIME_EXPIRED = 50;

type SearchLimits = Pick<Env, 'SEARCH_CONCURRENCY' | 'SEARCH_QUEUE_LIMIT' | 'LIST_QUERY_MAX_TIME_MS'>;

/** One gate per app instance (each has its own Env object), shared by every resource of it. */
const gates = new WeakMap<SearchLimits, SearchGate>();

/**
 * The cost bound of queries whose work grows with the data and the client's input (a
 * case-insensitive "contains" scans every candidate; a client-written filter may match no index):
 * - each runs with `maxTimeMS` (LIST_QUERY_MAX_TIME_MS), so MongoDB itself stops it;
 * - at most SEARCH_CONCURRENCY run at once per instance and SEARCH_QUEUE_LIMIT wait; past that,
 *   or past the time limit queue included, 503 + Retry-After. A search that outlives its answer
 *   keeps its slot until the database really ends it, so searches never take more than their
 *   share of the database from the other requests, whatever the client sends.
 */
export class SearchGate {
  readonly maxTimeMs: number;
  private readonly pool: BoundedPool;

  private constructor(limits: SearchLimits) {
    this.maxTimeMs = limits.LIST_QUERY_MAX_TIME_MS;
    this.pool = new BoundedPool({
      name: 'searches',
      concurrency: limits.SEARCH_CONCURRENCY,
      queueLimit: limits.SEARCH_QUEUE_LIMIT,
      timeoutMs: limits.LIST_QUERY_MAX_TIME_MS,
      retryAfterSeconds: 1,
    });
  }

  static for(limits: SearchLimits): SearchGate {
    let gate = gates.get(limits);
    if (!gate) gates.set(limits, (gate = new SearchGate(limits)));
    return gate;
  }

  get stats() {
    return this.pool.stats;
  }

  /** Runs a search through the gate. */
  run<T>(search: () => Promise<T>): Promise<T> {
    return this.pool.run(() => this.bounded(search));
  }

  /** Turns MongoDB's "time limit exceeded" into a 503 that says what to do (for queries run outside the gate too). */
  async bounded<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      if ((error as { code?: unknown }).code === MAX_TIME_EXPIRED) {
        throw new RetryLaterException(503, `the query took longer than ${this.maxTimeMs} ms; narrow it, or retry later`, 1);
      }
      throw error;
    }
  }
}
