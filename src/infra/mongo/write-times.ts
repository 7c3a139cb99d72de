import { AsyncLocalStorage } from 'node:async_hooks';
import type { Connection, Document, mongo, Query, Schema } from 'mongoose';
import { WRITES } from './query-middleware';

/** The write times collected for one `captureWriteTimes` call, and the call it runs inside, if any. */
interface Capture {
  times: string[];
  outer?: Capture;
  /** One causally consistent session per connection, opened by the capture's first write through it. */
  sessions: Map<Connection, mongo.ClientSession>;
}

const captures = new AsyncLocalStorage<Capture>();
/** Connections whose writes record their times (CACHE_FEED_SKIP_API_WRITES); a schema may be shared by several. */
const recording = new WeakSet<Connection>();

/**
 * Runs `write` and collects the `operationTime` MongoDB answers each of its writes with (the oplog
 * timestamp of what it wrote, i.e. the `clusterTime` of its change event), as decimal strings;
 * `times` fills as the writes answer. Nested captures see their inner writes too. Empty where the
 * server sends none (a standalone mongod) or has no sessions, with CACHE_FEED_SKIP_API_WRITES=false,
 * and for writes Mongoose cannot lend a session to (`insertMany`, `bulkWrite`, driver calls): the
 * feed then invalidates their events again, which is safe.
 */
export function captureWriteTimes<T>(write: () => Promise<T>): { times: string[]; done: Promise<T> } {
  const capture: Capture = { times: [], outer: captures.getStore(), sessions: new Map() };
  const done = captures.run(capture, write).finally(() => {
    for (const session of capture.sessions.values()) void session.endSession().catch(() => undefined);
  });
  return { times: capture.times, done };
}

/**
 * Makes the connection's model writes made inside `captureWriteTimes` record their operationTime:
 * they run in an explicit, causally consistent session, on which the driver keeps the latest
 * operationTime, read right after each write answers. (The driver's command monitoring would tell
 * it too, but deserializes every reply once more for it, reads included: ~8 % of a cache miss.)
 */
export function recordWriteTimes(connection: Connection): Connection {
  recording.add(connection);
  return connection.plugin(writeTimesPlugin);
}

/** Sessions need a server that has them (every MongoDB replica set does); the driver's topology knows. */
function hasSessions(connection: Connection): boolean {
  const client = connection.getClient() as unknown as { topology?: { description?: { logicalSessionTimeoutMinutes?: number | null } } };
  return client.topology?.description?.logicalSessionTimeoutMinutes != null;
}

function sessionFor(capture: Capture, connection: Connection): mongo.ClientSession | undefined {
  let session = capture.sessions.get(connection);
  if (!session && recording.has(connection) && hasSessions(connection)) {
    capture.sessions.set(connection, (session = connection.getClient().startSession({ causalConsistency: true })));
  }
  return session;
}

function note(session: mongo.ClientSession | null | undefined): void {
  const time = session?.operationTime?.toString();
  if (!time) return;
  for (let capture = captures.getStore(); capture; capture = capture.outer) capture.times.push(time);
}

function writeTimesPlugin(schema: Schema) {
  // `insertMany` and `bulkWrite` take no session from a hook: their writes are not recorded.
  schema.pre(WRITES, function (this: Query<unknown, unknown>) {
    const capture = captures.getStore();
    const session = capture && !this.getOptions().session ? sessionFor(capture, this.model.db) : undefined;
    if (session) this.setOptions({ session });
  });
  schema.post(WRITES, function (this: Query<unknown, unknown>) {
    if (captures.getStore()) note(this.getOptions().session);
  });
  // Lent for this save only: a document kept after the capture must not carry its ended session.
  const lent = new WeakSet<Document>();
  schema.pre('save', function (this: Document) {
    const capture = captures.getStore();
    const session = capture && !this.$session() ? sessionFor(capture, this.db) : undefined;
    if (session) {
      this.$session(session);
      lent.add(this);
    }
  });
  schema.post('save', function (this: Document) {
    if (captures.getStore()) note(this.$session());
    if (lent.delete(this)) this.$session(null);
  });
}
