/**
 * npm run bench:connections — 20,000 idle connections from one address against an app process,
 * with the per-address cap (HTTP_MAX_CONNECTIONS_PER_ADDRESS, default 256) and without it (0,
 * leaving only HTTP_MAX_CONNECTIONS, default 10,000), side by side. Reports, for each: the
 * connections the app holds (counted by the kernel: `ss`), the app's RSS over its idle baseline,
 * and /health latency (from another address) while they are held. The connections come from two
 * client processes of 10,000 each (a process here may hold 20,000 files). One JSON line last.
 * Env: BENCH_IDLE_CONNECTIONS (20000), MONGODB_URI / REDIS_URL (else embedded).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';

const ATTACKER = '127.0.0.2';

/** Opens `count` connections that send nothing; prints how many are still open after 2 s; holds them until stdin ends. */
const CLIENT = `
const net = require('node:net');
const [port, count, localAddress] = process.argv.slice(1);
const sockets = [];
let closed = 0, opened = 0, i = 0;
function next() {
  if (i >= Number(count)) return setTimeout(report, 2000);
  const batch = Math.min(200, Number(count) - i);
  let pending = batch;
  for (let k = 0; k < batch; k++, i++) {
    const socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress });
    socket.on('error', () => undefined);
    socket.once('close', () => closed++);
    const done = () => { if (--pending === 0) setImmediate(next); };
    socket.once('connect', () => { opened++; done(); });
    socket.once('error', done);
    sockets.push(socket);
  }
}
function report() { process.stdout.write(JSON.stringify({ opened, open: sockets.length - closed }) + '\\n'); }
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => { for (const s of sockets) s.destroy(); process.exit(0); });
next();
`;

interface ClientReport {
  opened: number;
  open: number;
}

/** Connections the app has open on its port now, as the kernel sees them (the clients learn of closes late). */
function establishedTo(port: string): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]).toString();
  return out.split('\n').filter((line) => line.trim() !== '').length;
}

function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

async function healthLatencies(url: string, count: number): Promise<{ p50: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: Math.round(times[Math.floor(times.length / 2)] * 10) / 10, max: Math.round(times.at(-1)! * 10) / 10 };
}

async function holdIdle(app: AppProcess, total: number) {
  const port = new URL(app.url).port;
  const baseline = rssMiB(app.pid);
  const clients = [Math.ceil(total / 2), Math.floor(total / 2)].map((count) => {
    const child = spawn(process.execPath, ['-e', CLIENT, port, String(count), ATTACKER], { stdio: ['pipe', 'pipe', 'inherit'] });
    const report = new Promise<ClientReport>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.trim()) as ClientReport);
      });
    });
    return { child, report };
  });
  const reports = await Promise.all(clients.map((c) => c.report));
  const established = establishedTo(port);
  const health = await healthLatencies(app.url, 20);
  const held = {
    opened_by_clients: reports.reduce((n, r) => n + r.opened, 0),
    open_at_app: established,
    rss_over_baseline_mib: rssMiB(app.pid) - baseline,
    health_ms: health,
  };
  await Promise.all(
    clients.map(({ child }) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      return exited;
    }),
  );
  return { baseline_rss_mib: baseline, ...held };
}

async function main() {
  const total = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 20_000);
  const servers = await startBenchServers();
  const env = { MONGODB_URI: servers.mongodbUri, MONGODB_DB: 'bench_connections', REDIS_URL: servers.redisUrl };
  const arms: Record<string, Record<string, string>> = {
    capped: {},
    per_address_cap_off: { HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0' },
  };
  const figures: Record<string, unknown> = { bench: 'connections', idle_connections: total, from: ATTACKER };
  try {
    for (const [name, overrides] of Object.entries(arms)) {
      const app = await startAppProcess({ ...env, ...overrides });
      try {
        await healthLatencies(app.url, 5); // warm-up
        figures[name] = await holdIdle(app, total);
        console.log(`${name}: ${JSON.stringify(figures[name])}`);
      } finally {
        await app.stop();
      }
    }
    console.log(JSON.stringify(figures));
  } finally {
    await servers.stop();
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
