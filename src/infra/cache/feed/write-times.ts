import { AsyncLocalStorage } from 'node:async_hooks';

/** The write times collected for one `captureWriteTimes` call, and the call it runs inside, if any. */
interface Capture {
  times: string[];
  outer?: Capture;
}

const captures = new AsyncLocalStorage<Capture>();
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);

/**
 * Runs `write` and collects the `operationTime` MongoDB answers each of its write commands with
 * (the oplog timestamp of what it wrote, i.e. the `clusterTime` of its change event), as decimal
 * strings; `times` fills as the commands answer. Nested captures see their inner writes too.
 * Empty where the server sends none (a standalone mongod), or with CACHE_FEED_SKIP_API_WRITES=false.
 */
export function captureWriteTimes<T>(write: () => Promise<T>): { times: string[]; done: Promise<T> } {
  const capture: Capture = { times: [], outer: captures.getStore() };
  return { times: capture.times, done: captures.run(capture, write) };
}

/**
 * The MongoDB driver's `commandSucceeded` listener (command monitoring on): runs in the async
 * context of the operation that sent the command, so it finds the capture of the write that did.
 */
export function noteWriteTime(event: { commandName: string; reply?: unknown }): void {
  let capture = captures.getStore();
  if (!capture || !WRITE_COMMANDS.has(event.commandName)) return;
  const time = (event.reply as { operationTime?: { toString(): string } } | undefined)?.operationTime;
  if (!time) return;
  for (; capture; capture = capture.outer) capture.times.push(time.toString());
}
