/** A pre-publication warm-up of one edition, as every instance reads it (kept in Redis beside the schedule). */
export interface WarmUpState {
  edition: string;
  /** Tells runs of one edition apart: an instance preloads its L1 once per run. */
  run: string;
  status: 'running' | 'done' | 'failed';
  /** The editions public from the edition's instant on: every one of their results is warmed. */
  editions: string[];
  /** Their fingerprint: the warmed entries are `students.public-<fingerprint>:id:<registration>`. */
  fingerprint: string;
  /** Results to warm (counted when it started). */
  total: number;
  /** Results written to Redis so far. */
  stored: number;
  /** Results read again because a write moved them while they were being warmed. */
  retried: number;
  seconds: number;
  per_second: number;
  /** Lifetime of the warmed entries: until the instant, then RESULTS_WARM_TTL_SECONDS. */
  ttl_seconds: number;
  started_at: string;
  finished_at?: string;
  error?: string;
  /** The instance running it, and when it last said so (Redis ms): a run whose owner went silent counts as failed. */
  owner: string;
  heartbeat_at: number;
}

/** One instance's copy of a warm-up's entries into its own L1 (bounded by CACHE_L1_MAX_BYTES). */
export interface L1PreloadState {
  instance: string;
  run: string;
  loaded: number;
  /** L1 reached its bound before every entry was copied. */
  full: boolean;
  /** Redis did not answer a page (three tries): the copy stopped there; the rest is read from Redis. */
  interrupted: boolean;
  done: boolean;
  seconds: number;
}
