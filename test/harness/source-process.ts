import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/infra/embedded/free-port';
import { stopChild } from '../../src/infra/embedded/process';
import { RATE_LIMITS_OFF } from '../../src/infra/rate-limit/limits-off';
import type { TestContext } from './test-app';

const root = resolve(__dirname, '../..');
const HOOKS = join(__dirname, 'ts-hooks.cjs');
let emptyFolder: string | undefined;

export type ProcessEnv = Record<string, string>;

/**
 * Runs a src/ entry point (`main.ts`, `cli.ts`) in its own Node process, as `npm start` / `npm run
 * cli` would but compiled on load (ts-hooks.cjs). It runs in an empty folder, so no .env of the
 * checkout is read; `env` is added to this process's environment (an empty value means unset).
 */
export function spawnSource(entry: string, env: ProcessEnv, args: string[] = []): ChildProcess {
  return spawnNode([join(root, 'src', entry), ...args], env);
}

/** `node <args>` with TypeScript sources loadable (`node -e "require('…/x.ts')"` too), as spawnSource runs them. */
export function spawnNode(args: string[], env: ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['-r', HOOKS, ...args], {
    cwd: (emptyFolder ??= mkdtempSync(join(tmpdir(), 'cachebook-proc-'))),
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface Finished {
  code: number | null;
  output: string;
}

/** Runs an entry point to its end (a CLI command, or a start that is refused). */
export function runSource(entry: string, env: ProcessEnv, args: string[] = [], timeoutMs = 60_000): Promise<Finished> {
  const child = spawnSource(entry, env, args);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${entry} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

export interface ServerProcess {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** The suite's MongoDB database and Redis db for a server or CLI process, with rate limits and the feed off. */
export function suiteServices(ctx: TestContext): ProcessEnv {
  return {
    MONGODB_URI: ctx.env.MONGODB_URI!,
    MONGODB_DB: ctx.dbName,
    REDIS_URL: ctx.env.REDIS_URL!,
    CACHE_KEY_PREFIX: 'none',
    CACHE_FEED_ENABLED: 'false',
    ...RATE_LIMITS_OFF,
  };
}

/** Starts `src/main.ts` on a free loopback port and waits for GET /health to answer 200. */
export async function startServer(env: ProcessEnv, timeoutMs = 60_000): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawnSource('main.ts', { HOST: '127.0.0.1', ...env, PORT: String(port) });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const server = { url: `http://127.0.0.1:${port}`, output: () => output, stop: () => stopChild(child) };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`main.ts exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${output.slice(-2000)}`);
    }
    const healthy = await fetch(`${server.url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`main.ts was not healthy within ${timeoutMs} ms:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
