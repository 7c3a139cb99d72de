import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { stopChild, waitForLine } from './process';

export interface StandinOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Enables the oplog so change streams work (default true). */
  oplog?: boolean;
  /** Persist to this H2 file instead of memory. */
  h2File?: string;
  /** JVM heap limit; the JVM takes ~1.3 GB by default. */
  maxHeap?: string;
}

export interface RunningServer {
  uri: string;
  pid: number;
  stop(): Promise<void>;
}

/** The launcher's source, found from src/, dist/ or dist-bench/src/ alike. */
function launcherPath(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'tools', 'mongo-standin', 'Launcher.java');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('tools/mongo-standin/Launcher.java not found above ' + __dirname);
}

export function standinLibDir(): string {
  return (
    process.env.MONGO_STANDIN_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cachebook', 'mongo-standin-1.47.0')
  );
}

export function standinAvailable(): boolean {
  return existsSync(join(standinLibDir(), '.complete'));
}

/**
 * Starts the MongoDB wire-protocol stand-in (mongo-java-server) for tests and offline development.
 * The launcher exits when our stdin closes, so it never outlives this process.
 */
export async function startMongoStandin(options: StandinOptions = {}): Promise<RunningServer> {
  const lib = standinLibDir();
  if (!standinAvailable()) {
    throw new Error(`MongoDB stand-in jars not found in ${lib}: run "bash tools/setup.sh" (needs Maven)`);
  }
  const launcher = launcherPath();
  const args = [`-Xmx${options.maxHeap ?? '768m'}`, '-XX:+UseSerialGC', '-cp', `${lib}/*`, launcher, '--port', String(options.port ?? 0)];
  if (options.oplog !== false) args.push('--oplog');
  if (options.h2File) args.push('--h2', options.h2File);
  const child = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const [, uri] = await waitForLine(child, /LISTENING (mongodb:\/\/\S+)/, 60_000, 'MongoDB stand-in');
  child.stdout.resume();
  child.stderr.resume();
  return {
    uri,
    pid: child.pid!,
    stop: async () => {
      child.stdin.end();
      await stopChild(child);
    },
  };
}
