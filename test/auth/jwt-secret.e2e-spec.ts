/**
 * One access-token secret per local deployment, and none invented in production. Servers and the
 * CLI run as real processes (src/main.ts, src/cli.ts), since a secret made per process could only
 * show itself across processes.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSource, ServerProcess, spawnNode, startServer, suiteServices } from '../harness/source-process';
import { createTestContext, TestContext } from '../harness/test-app';

const NO_SECRET = { JWT_SECRET: '', NODE_ENV: '' };
const PASSWORD = 'password-123';

async function call(server: ServerProcess, path: string, init: { body?: object; token?: string } = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: init.body ? 'POST' : 'GET',
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function accessToken(server: ServerProcess, username: string): Promise<string> {
  expect((await call(server, '/auth/register', { body: { username, email: `${username}@example.com`, password: PASSWORD } })).status).toBe(
    202,
  );
  const login = await call(server, '/auth/login', { body: { username, password: PASSWORD } });
  expect(login.status).toBe(200);
  return login.body.access_token as string;
}

describe('JWT secret', () => {
  let ctx: TestContext;
  const servers: ServerProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const server = await startServer({ ...suiteServices(ctx), ...env });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    ctx = await createTestContext('jwt-secret');
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  afterAll(async () => {
    await ctx.mongo
      .db(`${ctx.dbName}_prod`)
      .dropDatabase()
      .catch(() => undefined);
    await ctx.close();
  });

  describe('unset, outside production: one generated secret per runtime folder', () => {
    it('two instances started at once on one folder accept each other’s tokens, and a restart keeps them valid', async () => {
      const runtime = mkdtempSync(join(tmpdir(), 'jwt-runtime-'));
      const [first, second] = await Promise.all([
        start({ ...NO_SECRET, RUNTIME_DIR: runtime }),
        start({ ...NO_SECRET, RUNTIME_DIR: runtime }),
      ]);

      const token = await accessToken(first, 'dora');
      expect(await call(second, '/auth/me', { token })).toMatchObject({ status: 200, body: { username: 'dora' } });

      // Kept on disk, readable by its owner only, and nothing half-made left beside it.
      const file = join(runtime, 'jwt-secret');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
      expect(readdirSync(runtime).filter((name) => name.includes('jwt-secret'))).toEqual(['jwt-secret']);

      await first.stop();
      const restarted = await start({ ...NO_SECRET, RUNTIME_DIR: runtime });
      expect((await call(restarted, '/auth/me', { token })).status).toBe(200);

      // Another runtime folder is another deployment: its secret differs, so the token is refused.
      const elsewhere = await start({ ...NO_SECRET, RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'jwt-runtime-')) });
      expect((await call(elsewhere, '/auth/me', { token })).status).toBe(401);
    });

    it('processes racing to create it all read the same one', async () => {
      // 8 processes race 20 times, each time for a new folder: they load the module, then ask for the
      // secret at the same instants (busy waits, for precision), and print what they got as one JSON
      // line after whatever the module logs.
      const folders = Array.from({ length: 20 }, () => mkdtempSync(join(tmpdir(), 'jwt-race-')));
      const module = join(__dirname, '../../src/auth/jwt-secret.ts');
      const at = Date.now() + 4000;
      const script = [
        `const { jwtSecret } = require(${JSON.stringify(module)});`,
        `const got = ${JSON.stringify(folders)}.map((folder, i) => {`,
        `  while (Date.now() < ${at} + i * 50);`,
        `  return jwtSecret({ RUNTIME_DIR: folder });`,
        `});`,
        `console.log('\\n' + JSON.stringify(got));`,
      ].join('\n');
      const racers = Array.from({ length: 8 }, () => spawnNode(['-e', script], { LOG_LEVEL: 'silent' }));
      const results = await Promise.all(
        racers.map(
          (racer) =>
            new Promise<string[]>((resolve, reject) => {
              let out = '';
              racer.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
              racer.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
              racer.on('exit', (code) =>
                code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as string[]) : reject(new Error(`a racer failed:\n${out}`)),
              );
            }),
        ),
      );
      folders.forEach((folder, i) => {
        const kept = readFileSync(join(folder, 'jwt-secret'), 'utf8').trim();
        expect(kept.length).toBeGreaterThanOrEqual(32);
        expect({ folder, got: results.map((secrets) => secrets[i]) }).toEqual({ folder, got: results.map(() => kept) });
      });
    });

    it('the CLI reuses it and says nothing about it', async () => {
      const runtime = mkdtempSync(join(tmpdir(), 'jwt-runtime-'));
      const server = await start({ ...NO_SECRET, RUNTIME_DIR: runtime });
      const token = await accessToken(server, 'elis');
      const secret = readFileSync(join(runtime, 'jwt-secret'), 'utf8');

      for (const args of [
        ['users', 'promote', 'elis'],
        ['users', 'create-manager', '--username', 'fabi', '--email', 'fabi@example.com'],
      ]) {
        const run = await runSource('cli.ts', { ...suiteServices(ctx), ...NO_SECRET, RUNTIME_DIR: runtime, LOG_LEVEL: 'info' }, args);
        expect(run.code).toBe(0);
        expect(run.output).not.toMatch(/secret/i);
      }
      expect(readFileSync(join(runtime, 'jwt-secret'), 'utf8')).toBe(secret);
      expect(await call(server, '/auth/me', { token })).toMatchObject({ status: 200, body: { username: 'elis', role: 'manager' } });
    });
  });

  describe('NODE_ENV=production', () => {
    const production = () => ({ ...suiteServices(ctx), MONGODB_DB: `${ctx.dbName}_prod`, NODE_ENV: 'production', LOG_LEVEL: 'info' });
    const strongSecret = 'production-secret-0123456789abcdef0123456789';

    it('refuses to start without JWT_SECRET, naming it, and generates nothing', async () => {
      const runtime = mkdtempSync(join(tmpdir(), 'jwt-prod-'));
      const env = { ...production(), JWT_SECRET: '', ADMIN_TOKEN: 'production-admin-token-0123', RUNTIME_DIR: runtime };
      for (const [entry, args] of [
        ['main.ts', []],
        ['cli.ts', ['users', 'promote', 'nobody']],
      ] as const) {
        const run = await runSource(entry, env, [...args]);
        expect(run.code).toBe(1);
        expect(run.output).toContain('JWT_SECRET is required when NODE_ENV=production');
      }
      expect(readdirSync(runtime)).toEqual([]);
    });

    it('refuses to start with neither ADMIN_TOKEN nor a manager account; starts once the CLI made a manager', async () => {
      const env = { ...production(), JWT_SECRET: strongSecret, ADMIN_TOKEN: '' };
      const refused = await runSource('main.ts', env);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain('ADMIN_TOKEN is unset and the database has no manager account');

      const created = await runSource('cli.ts', env, ['users', 'create-manager', '--username', 'root', '--email', 'root@example.com']);
      expect(created).toMatchObject({ code: 0, output: expect.stringContaining('manager created: root') });
      const server = await start(env);
      expect((await call(server, '/health')).status).toBe(200);
    });

    it('starts with JWT_SECRET and ADMIN_TOKEN on an empty database', async () => {
      const server = await start({
        ...production(),
        MONGODB_DB: `${ctx.dbName}_prod_empty`,
        JWT_SECRET: strongSecret,
        ADMIN_TOKEN: 'production-admin-token-0123',
      });
      expect((await call(server, '/health')).status).toBe(200);
      await ctx.mongo.db(`${ctx.dbName}_prod_empty`).dropDatabase();
    });
  });
});
