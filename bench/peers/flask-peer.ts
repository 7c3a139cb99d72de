/**
 * The original Flask store API (storeAPI_Redis, github.com/Muten-Roshi-Sama/MongoDB-lab-in-Docker) as
 * a peer: copied from FLASK_PEER_DIR (a checkout of its `storeAPI_Redis` folder; never committed
 * here) to a temporary directory, its hard-coded MongoDB/Redis addresses patched to read the
 * environment, and run by gunicorn with 2 workers from a venv under ~/.cache/cachebook.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/infra/embedded/free-port';
import { stopChild } from '../../src/infra/embedded/process';
import { AppProcess } from '../lib/servers';

const VENV = process.env.FLASK_PEER_VENV ?? join(homedir(), '.cache', 'cachebook', 'flask-peer-venv');
const PACKAGES = ['flask', 'gunicorn', 'pymongo', 'redis'];

/** Replaces `from` once, failing loudly if the upstream file no longer has it. */
function patch(text: string, from: string, to: string, file: string): string {
  if (!text.includes(from)) throw new Error(`${file}: expected to find ${JSON.stringify(from)} to patch`);
  return text.replace(from, to);
}

function ensureVenv(): string {
  const gunicorn = join(VENV, 'bin', 'gunicorn');
  if (existsSync(gunicorn)) return gunicorn;
  console.log(`creating ${VENV} (pip install ${PACKAGES.join(' ')})`);
  for (const [command, args] of [
    ['python3', ['-m', 'venv', VENV]],
    [join(VENV, 'bin', 'pip'), ['install', '-q', ...PACKAGES]],
  ] as const) {
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
  }
  return gunicorn;
}

export interface FlaskPeer extends AppProcess {
  /** Its list route for a collection (the whole collection, cached under `<collection>:list`). */
  listPath(collection: string): string;
}

export async function startFlaskPeer(sourceDir: string, mongodbUri: string, dbName: string, redisUrl: string): Promise<FlaskPeer> {
  const gunicorn = ensureVenv();
  const work = mkdtempSync(join(tmpdir(), 'flask-peer-'));
  const appFile = join(sourceDir, 'app', 'app.py');
  const cacheFile = join(sourceDir, 'app', 'redis_cache.py');
  let app = readFileSync(appFile, 'utf8');
  app = patch(app, 'MongoClient("mongodb://mongo:27017/")', 'MongoClient(os.environ["PEER_MONGODB_URI"])', 'app.py');
  app = patch(app, 'client["storeDB"]', 'client[os.environ.get("PEER_MONGODB_DB", "storeDB")]', 'app.py');
  let cache = readFileSync(cacheFile, 'utf8');
  cache = patch(cache, 'REDIS_HOST = "redis"', 'import os\nREDIS_HOST = os.environ.get("PEER_REDIS_HOST", "redis")', 'redis_cache.py');
  cache = patch(cache, 'REDIS_PORT = 6379', 'REDIS_PORT = int(os.environ.get("PEER_REDIS_PORT", "6379"))', 'redis_cache.py');
  writeFileSync(join(work, 'app.py'), app);
  writeFileSync(join(work, 'redis_cache.py'), cache);
  copyFileSync(join(sourceDir, 'requirements.txt'), join(work, 'requirements.txt'));

  const port = await freePort();
  const redis = new URL(redisUrl);
  const child = spawn(gunicorn, ['-w', '2', '-b', `127.0.0.1:${port}`, '--log-level', 'warning', 'app:app'], {
    cwd: work,
    env: {
      ...process.env,
      PEER_MONGODB_URI: mongodbUri,
      PEER_MONGODB_DB: dbName,
      PEER_REDIS_HOST: redis.hostname,
      PEER_REDIS_PORT: redis.port || '6379',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gunicorn exited: ${stderr}`);
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the Flask peer did not answer within 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    stderr: () => stderr,
    listPath: (collection) => `/api/showDB/${collection}`,
    stop: async () => {
      await stopChild(child);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
