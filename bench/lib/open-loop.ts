import { connect, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * An HTTP/1.1 load generator for spikes: keep-alive sockets, one request in flight per socket,
 * and two modes.
 * - open: requests are due at a rate that ramps linearly from 0 to `peakRps` over `rampSeconds`,
 *   then holds; each is timed from when it was DUE, not from when a socket was free to send it, so
 *   a server that falls behind shows in the latencies instead of slowing the load down
 *   (autocannon's rate limit sends each second's quota in a burst, and times from the send).
 * - closed: every socket sends its next request as soon as the last one is answered (capacity).
 * Results are kept per second (by due time), with the X-Cache tier of each answer.
 */
export interface LoadSecond {
  second: number;
  /** Requests due in this second (open) or sent (closed). */
  due: number;
  done: number;
  statuses: Record<string, number>;
  /** X-Cache / X-Cache-Tier of the answers: l1, l2, miss (MISS or BYPASS), none (no header: errors). */
  tiers: { l1: number; l2: number; miss: number; none: number };
  latencies: number[];
  errors: number;
}

export interface LoadRun {
  mode: 'open' | 'closed';
  targets: string[];
  socketsPerTarget: number;
  durationSeconds: number;
  /** open mode */
  peakRps?: number;
  rampSeconds?: number;
  path: () => string;
  headers?: Record<string, string>;
  /** Called once per completed second (e.g. to sample server-side counters). */
  onSecond?: (second: number) => void;
}

interface Conn {
  socket: Socket;
  host: string;
  busy: boolean;
  buffer: Buffer;
  /** The request in flight: when it was due and when it was sent. */
  dueAt: number;
}

export async function runLoad(run: LoadRun): Promise<LoadSecond[]> {
  const seconds: LoadSecond[] = [];
  const bucket = (s: number) =>
    (seconds[s] ??= { second: s, due: 0, done: 0, statuses: {}, tiers: { l1: 0, l2: 0, miss: 0, none: 0 }, latencies: [], errors: 0 });
  const started = performance.now();
  const end = started + run.durationSeconds * 1000;
  const extraHeaders = Object.entries(run.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  // Due times of open-mode requests no socket could take yet (a queue: `waiting[head]` is next).
  const waiting: number[] = [];
  let head = 0;
  const conns: Conn[] = [];
  const idle: Conn[] = [];
  let stopped = false;

  const send = (conn: Conn, dueAt: number) => {
    conn.busy = true;
    conn.dueAt = dueAt;
    conn.socket.write(`GET ${run.path()} HTTP/1.1\r\nHost: ${conn.host}\r\n${extraHeaders}\r\n`);
  };
  const next = (conn: Conn) => {
    conn.busy = false;
    if (stopped) return;
    if (run.mode === 'closed') {
      const now = performance.now();
      if (now < end) {
        bucket(Math.floor((now - started) / 1000)).due++;
        send(conn, now);
      }
    } else if (head < waiting.length) send(conn, waiting[head++]);
    else idle.push(conn);
  };
  const onData = (conn: Conn, chunk: Buffer) => {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    for (;;) {
      const headEnd = conn.buffer.indexOf('\r\n\r\n');
      if (headEnd === -1) return;
      const head = conn.buffer.toString('latin1', 0, headEnd).toLowerCase();
      const length = Number(/\r\ncontent-length: *(\d+)/.exec(head)?.[1] ?? 0);
      if (conn.buffer.length < headEnd + 4 + length) return;
      conn.buffer = conn.buffer.subarray(headEnd + 4 + length);
      const s = bucket(Math.floor((conn.dueAt - started) / 1000));
      const status = head.slice(9, 12);
      s.done++;
      s.statuses[status] = (s.statuses[status] ?? 0) + 1;
      s.latencies.push(performance.now() - conn.dueAt);
      const cache = /\r\nx-cache: *(\w+)/.exec(head)?.[1];
      const tier = /\r\nx-cache-tier: *(\w+)/.exec(head)?.[1];
      if (cache === 'hit' && tier === 'l1') s.tiers.l1++;
      else if (cache === 'hit') s.tiers.l2++;
      else if (cache) s.tiers.miss++;
      else s.tiers.none++;
      next(conn);
    }
  };
  const open = (target: string) =>
    new Promise<Conn>((resolve, reject) => {
      const { hostname, port, host } = new URL(target);
      const socket = connect(Number(port), hostname, () => resolve(conn));
      const conn: Conn = { socket, host, busy: false, buffer: Buffer.alloc(0), dueAt: 0 };
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => onData(conn, chunk));
      socket.on('error', (error) => {
        if (!conn.busy) return reject(error);
        bucket(Math.floor((conn.dueAt - started) / 1000)).errors++;
      });
      socket.on('close', () => {
        if (stopped) return;
        const index = conns.indexOf(conn);
        if (index !== -1) conns.splice(index, 1);
        const spare = idle.indexOf(conn);
        if (spare !== -1) idle.splice(spare, 1);
        if (conn.busy) bucket(Math.floor((conn.dueAt - started) / 1000)).errors++;
        void open(target).then(
          (fresh) => (conns.push(fresh), next(fresh)),
          () => undefined,
        );
      });
    });
  for (const target of run.targets) for (let i = 0; i < run.socketsPerTarget; i++) conns.push(await open(target));

  // Due times, in closed form: the k-th request of a linear ramp to `peak` over `ramp` s, then flat.
  const peak = run.peakRps ?? 0;
  const ramp = Math.max(run.rampSeconds ?? 0, 1e-9);
  const dueTime = (k: number) => (k <= (peak * ramp) / 2 ? Math.sqrt((2 * ramp * k) / peak) : ramp + (k - (peak * ramp) / 2) / peak);
  let issued = 0;
  let lastSecond = -1;
  for (const conn of conns) next(conn);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const t = (now - started) / 1000;
      if (run.mode === 'open' && peak > 0) {
        for (;;) {
          const at = dueTime(issued + 1);
          if (at > t || at > run.durationSeconds) break;
          issued++;
          const dueAt = started + at * 1000;
          bucket(Math.floor(at)).due++;
          const free = idle.pop();
          if (free) send(free, dueAt);
          else waiting.push(dueAt);
        }
      }
      const second = Math.floor(t) - 1;
      if (second > lastSecond && second < run.durationSeconds) {
        lastSecond = second;
        run.onSecond?.(second);
      }
      if (now >= end && (conns.every((c) => !c.busy) || now >= end + 10_000)) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  stopped = true;
  for (const conn of conns) conn.socket.destroy();
  // Requests still waiting for a socket when the run ended were never answered.
  for (const dueAt of waiting.slice(head)) bucket(Math.floor((dueAt - started) / 1000)).errors++;
  return seconds.filter(Boolean).slice(0, run.durationSeconds);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
