/**
 * The alert rules of deploy/prometheus, evaluated by a real Prometheus scraping a running app over
 * TCP with the shipped scrape config (its token file and targets pointed at this test's, its
 * intervals 1 s, and every `for:` 2 s so that no alert waits its production minutes). A fault is
 * injected (Redis stopped with SIGSTOP) and the alert must fire through Prometheus' HTTP API.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/infra/embedded/free-port';
import type { RunningServer } from '../../src/infra/embedded/mongo-standin';
import { stopChild } from '../../src/infra/embedded/process';
import { startRedisServer } from '../../src/infra/embedded/redis-server';
import { MetricsService } from '../../src/infra/metrics/metrics.service';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';

const DEPLOY = resolve(__dirname, '../../deploy/prometheus');
const METRICS_TOKEN = 'alerts-test-metrics-token-0123';

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

/** `text` with `from` replaced, failing loudly when the shipped file no longer has it. */
function replaceOrFail(text: string, from: string | RegExp, to: string): string {
  const replaced = text.replace(from, to);
  if (replaced === text) throw new Error(`deploy/prometheus changed: ${String(from)} is not there any more`);
  return replaced;
}

/** The shipped prometheus.yml and alerts.yml, aimed at `target` with short intervals, in a folder of their own. */
function testConfig(target: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const tokenFile = join(dir, 'metrics-token');
  writeFileSync(tokenFile, METRICS_TOKEN);
  chmodSync(tokenFile, 0o600);
  let config = readFileSync(join(DEPLOY, 'prometheus.yml'), 'utf8');
  config = replaceOrFail(config, 'scrape_interval: 15s', 'scrape_interval: 1s');
  config = replaceOrFail(config, 'evaluation_interval: 15s', 'evaluation_interval: 1s');
  config = replaceOrFail(config, /credentials_file: \S+/, `credentials_file: ${tokenFile}`);
  // The scrape job's targets (not the commented-out Alertmanager's): only this app, on loopback.
  config = replaceOrFail(config, /^(\s+- )targets: \[.*\]$/m, `$1targets: ['${target}']`);
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const rules = replaceOrFail(readFileSync(join(DEPLOY, 'alerts.yml'), 'utf8'), /^(\s+for: )\S+$/gm, '$12s');
  writeFileSync(join(dir, 'alerts.yml'), rules);
  return dir;
}

describe('alerts: a real Prometheus evaluates deploy/prometheus against a running app', () => {
  let ctx: TestContext;
  let redis: RunningServer;
  let api: TestApp;
  let appUrl: string;
  let target: string;
  let prometheus: ChildProcess;
  let promUrl: string;
  let promLog = '';

  const query = async (promql: string) => {
    const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    return body.data.result;
  };
  const alerts = async (): Promise<PromAlert[]> => {
    const body = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
    return body.data.alerts;
  };
  const firing = async (name: string) => (await alerts()).find((a) => a.labels.alertname === name && a.state === 'firing');

  beforeAll(async () => {
    execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }); // setup.sh test installs it
    ctx = await createTestContext('alerts');
    redis = await startRedisServer();
    api = await ctx.startApp({ REDIS_URL: redis.uri, METRICS_TOKEN });
    await api.app.listen(0, '127.0.0.1');
    target = `127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    appUrl = `http://${target}`;

    const dir = testConfig(target);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.on('data', (chunk: Buffer) => (promLog = (promLog + chunk.toString()).slice(-4000)));
    prometheus.stderr!.on('data', (chunk: Buffer) => (promLog = (promLog + chunk.toString()).slice(-4000)));
    const ready = await eventually(
      () =>
        fetch(`${promUrl}/-/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      20_000,
      200,
    );
    if (!ready) throw new Error(`prometheus did not become ready:\n${promLog}`);
  });

  afterAll(async () => {
    process.kill(redis.pid, 'SIGCONT');
    if (prometheus) await stopChild(prometheus);
    await ctx.close();
    await redis.stop();
  });

  it('loads every rule of alerts.yml', async () => {
    const body = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; rules: { name: string }[] }[] };
    };
    const names = body.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    const shipped = [...readFileSync(join(DEPLOY, 'alerts.yml'), 'utf8').matchAll(/^\s+- (?:alert|record): (\S+)$/gm)].map((m) => m[1]);
    expect(names.sort()).toEqual(shipped.sort());
  });

  it('fires CachebookRedisBreakerOpen (and CachebookL1CoherenceLost) when Redis hangs, and not before', async () => {
    // Scraped with the token, and healthy: the breaker gauge reads 0 and no alert fires.
    const up = await eventually(async () => (await query(`up{instance="${target}"}`))[0]?.value[1] === '1', 20_000, 200);
    if (!up)
      throw new Error(`the app was not scraped: ${JSON.stringify(await (await fetch(`${promUrl}/api/v1/targets`)).json())}\n${promLog}`);
    expect((await query(`cache_redis_breaker_open{instance="${target}"}`))[0]?.value[1]).toBe('0');
    expect(await firing('CachebookRedisBreakerOpen')).toBeUndefined();

    // Reads keep coming: once the bus notices the hang the in-process tier is bypassed, reads go to
    // Redis, time out, and the breaker opens.
    let reading = true;
    const reads = (async () => {
      while (reading) {
        await fetch(`${appUrl}/games`).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      process.kill(redis.pid, 'SIGSTOP');
      const breaker = await eventually(() => firing('CachebookRedisBreakerOpen'), 40_000, 250);
      if (!breaker) throw new Error(`no firing breaker alert; alerts: ${JSON.stringify(await alerts())}\n${promLog}`);
      expect(breaker.labels).toMatchObject({ instance: target, job: 'cachebook', severity: 'page' });
      expect(breaker.annotations).toMatchObject({
        summary: `${target} answers without Redis: its circuit breaker is open`,
        runbook_url: 'docs/operations/alerts.md#cachebookredisbreakeropen',
      });
      const coherence = await eventually(() => firing('CachebookL1CoherenceLost'), 20_000, 250);
      expect(coherence?.labels).toMatchObject({ instance: target, severity: 'warning' });
    } finally {
      reading = false;
      process.kill(redis.pid, 'SIGCONT');
      await reads;
    }
  });
});

describe('alerts: rate-limit refusals are counted per limit', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext('alerts-limits');
  });
  afterAll(() => ctx.close());

  it('rate_limit_rejections_total counts 429s of the global ceiling and of a route limit, under their names', async () => {
    const api = await ctx.startApp({ RATE_LIMIT_GLOBAL: 5, RATE_LIMIT_LOGIN_PER_IP: 1 });
    const login = () => api.http.post('/auth/login').send({ username: 'nobody', password: 'password-123' });
    expect((await login()).status).toBe(401);
    expect((await login()).status).toBe(429);
    let statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.http.get('/health')).status);
    statuses = statuses.filter((s) => s === 429);
    expect(statuses.length).toBeGreaterThan(0);

    // Read from the registry: over HTTP the scrape itself would be past the ceiling.
    const metrics = await api.app.get(MetricsService).registry.metrics();
    expect(metrics).toContain('rate_limit_rejections_total{limit="login-ip"} 1');
    expect(metrics).toContain(`rate_limit_rejections_total{limit="global"} ${statuses.length}`);
  });
});
