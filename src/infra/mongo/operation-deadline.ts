import { AsyncLocalStorage } from 'node:async_hooks';
import type { Aggregate, Connection, Query, Schema } from 'mongoose';
import type { Env } from '../../config/env';
import { READS, WRITES } from './query-middleware';

/** What an operation whose deadline passed fails with (the driver throws its signal's reason as it is). */
export class MongoDeadlineError extends Error {
  override readonly name = 'MongoDeadlineError';

  constructor(readonly deadlineMs: number) {
    super(`MongoDB did not answer within ${deadlineMs} ms`);
  }
}

/** Options that bound one driver operation (`signal`: the driver's per-operation cancellation). */
export interface DeadlineOptions {
  signal: AbortSignal;
  maxTimeMS?: number;
}

const jobScope = new AsyncLocalStorage<true>();

/**
 * Per connection, not per plugin: Mongoose applies a connection's plugins to a schema only once,
 * so a schema shared by several connections (apps in one test process) carries the first one's hooks.
 */
const deadlinesOf = new WeakMap<Connection, MongoDeadlines>();

/**
 * Runs `work` as a job (a crunch, a seeding, a cache warm-up): the MongoDB operations it makes get
 * the job deadline instead of the request deadline, however deep in the call they are made.
 */
export function asMongoJob<T>(work: () => Promise<T>): Promise<T> {
  return jobScope.run(true, work);
}

/** Each deadline signal's timer, so the plugin can stop it when the operation answers. */
const timers = new WeakMap<AbortSignal, NodeJS.Timeout>();

/** A signal that aborts after `ms` with a MongoDeadlineError (unref'd: it never keeps the process alive). */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  timers.set(controller.signal, setTimeout(() => controller.abort(new MongoDeadlineError(ms)), ms).unref());
  return controller.signal;
}

/**
 * Stops the deadline of an operation that answered: else its timer fires later all the same,
 * building an error (with its stack) and an abort event nobody listens to, per operation.
 */
function disarm(signal: AbortSignal | undefined): void {
  const timer = signal && timers.get(signal);
  if (timer) clearTimeout(timer);
}

/**
 * How long one MongoDB operation may take, everything included: server selection, waiting for a
 * pooled connection, the round trip. The driver this project runs (mongodb 7.8, under Mongoose)
 * ignores `timeoutMS`, so the deadline is an AbortSignal per operation, which the driver honours at
 * every wait; reads also carry it as `maxTimeMS`, so MongoDB stops work nobody waits for. A request's
 * operations get MONGODB_OPERATION_TIMEOUT_MS: a MongoDB that stops answering (a hung process, a
 * partition that keeps sockets open) costs a request that long, then a 503, not the whole outage.
 * A job's get MONGODB_JOB_OPERATION_TIMEOUT_MS (an aggregation of the crunch can take minutes).
 */
export class MongoDeadlines {
  constructor(
    readonly requestMs: number,
    readonly jobMs: number,
    /** The CLI: every command is a job. */
    private readonly jobsOnly = false,
  ) {}

  static from(env: Pick<Env, 'MONGODB_OPERATION_TIMEOUT_MS' | 'MONGODB_JOB_OPERATION_TIMEOUT_MS'>, jobsOnly = false) {
    return new MongoDeadlines(env.MONGODB_OPERATION_TIMEOUT_MS, env.MONGODB_JOB_OPERATION_TIMEOUT_MS, jobsOnly);
  }

  /** The deadline of an operation starting now, in this call's context. */
  currentMs(): number {
    return this.jobsOnly || jobScope.getStore() ? this.jobMs : this.requestMs;
  }

  /** For a read made outside Mongoose's middleware (`model.collection`, `connection.db`). */
  read(): DeadlineOptions {
    const ms = this.currentMs();
    return { signal: deadlineSignal(ms), maxTimeMS: ms };
  }

  /** For a read with a server-side limit of its own (a search), never past this call's deadline. */
  search(maxTimeMS: number): DeadlineOptions {
    const ms = this.currentMs();
    return { signal: deadlineSignal(ms), maxTimeMS: Math.min(maxTimeMS, ms) };
  }

  /** For a write made outside Mongoose's middleware. */
  write(): DeadlineOptions {
    return { signal: deadlineSignal(this.currentMs()) };
  }

  /**
   * Bounds every query and aggregation of the connection's models that brings no `signal` of its
   * own. Not covered (Mongoose passes no options there): document saves (`create`), `insertMany`,
   * `bulkWrite`, index builds, and driver calls made outside Mongoose, which take `read()` or
   * `write()` explicitly where a request makes them.
   */
  applyTo(connection: Connection): Connection {
    deadlinesOf.set(connection, this);
    return connection.plugin(deadlinePlugin);
  }
}

function bound(options: { signal?: AbortSignal; maxTimeMS?: number }, deadlines: MongoDeadlines, read: boolean) {
  if (options.signal) return {};
  const ms = deadlines.currentMs();
  return { signal: deadlineSignal(ms), ...(read && options.maxTimeMS === undefined ? { maxTimeMS: ms } : {}) };
}

function deadlinePlugin(schema: Schema) {
  const onQuery = (read: boolean) =>
    function (this: Query<unknown, unknown>) {
      const deadlines = deadlinesOf.get(this.model.db);
      if (deadlines) this.setOptions(bound(this.getOptions(), deadlines, read));
    };
  // Reads may also be stopped by MongoDB (maxTimeMS); writes only stop being waited for (an update
  // stopped half-way by MongoDB would stay half done).
  schema.pre(READS, onQuery(true));
  schema.pre(WRITES, onQuery(false));
  schema.post([...READS, ...WRITES], function (this: Query<unknown, unknown>) {
    disarm(this.getOptions().signal);
  });
  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    const deadlines = deadlinesOf.get(this.model().db);
    // Bounded like a read: the aggregations that write ($merge, $out) run in jobs, under the long deadline.
    if (deadlines) Object.assign(this.options, bound(this.options, deadlines, true));
  });
  schema.post('aggregate', function (this: Aggregate<unknown>) {
    disarm(this.options.signal);
  });
}
