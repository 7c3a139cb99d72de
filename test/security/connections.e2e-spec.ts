import { connect, type Socket } from 'node:net';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';

jest.setTimeout(90_000);

/** The attacker's connections come from another loopback address, so the test's own requests are not capped with them. */
const ATTACKER = '127.0.0.2';
const IDLE_CONNECTIONS = 2000;
const PER_ADDRESS_CAP = 256;
/** What 2,000 refused and 256 held connections may add to this process (app and client ends together). */
const RSS_BOUND_BYTES = 64 * 1024 * 1024;

/** Opens a connection that sends nothing; resolves once connected (or once the server has closed it). */
function idleConnection(port: number): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((resolve) => {
    let closed = false;
    const socket = connect({ port, host: '127.0.0.1', localAddress: ATTACKER });
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.once('connect', () => resolve({ socket, closed: () => closed }));
    socket.once('close', () => resolve({ socket, closed: () => true }));
  });
}

/**
 * Sends `head` and then `trickle` one byte every 100 ms; resolves with how long the server kept
 * the connection open and what it answered (if anything) before closing it.
 */
function trickle(port: number, head: string, trickled: string, giveUpMs: number): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < trickled.length) socket.write(trickled[sent++]);
    }, 100);
    const finish = () => {
      clearInterval(timer);
      socket.destroy();
      resolve({ ms: performance.now() - started, answer: answer.split('\r\n')[0] });
    };
    const giveUp = setTimeout(finish, giveUpMs);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      finish();
    });
    socket.write(head);
  });
}

/** Issue #20 item 4: slow and idle connections are bounded per address and in time. */
describe('security: connection hygiene', () => {
  let ctx: TestContext;
  let api: TestApp;
  let port: number;

  beforeAll(async () => {
    ctx = await createTestContext('sec-connections');
    api = await ctx.startApp({ HTTP_HEADERS_TIMEOUT_MS: 1000, HTTP_REQUEST_TIMEOUT_MS: 1500 });
    await api.app.listen(0, '127.0.0.1');
    port = Number(new URL(await api.app.getUrl()).port);
  });
  afterAll(() => ctx.close());

  it('keeps at most HTTP_MAX_CONNECTIONS_PER_ADDRESS idle connections from one address; /health stays fast', async () => {
    const rssBefore = process.memoryUsage().rss;
    const connections = [];
    for (let i = 0; i < IDLE_CONNECTIONS; i++) connections.push(await idleConnection(port));
    // The refused ones are closed by the server as they are accepted.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const open = connections.filter((c) => !c.closed()).length;
    const started = performance.now();
    const health = await api.http.get('/health');
    const healthMs = performance.now() - started;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    console.log(
      JSON.stringify({
        idleConnections: IDLE_CONNECTIONS,
        leftOpen: open,
        healthMs: Math.round(healthMs),
        rssGrowthMiB: +(rssGrowth / 2 ** 20).toFixed(1),
      }),
    );
    for (const c of connections) c.socket.destroy();

    expect(open).toBeLessThanOrEqual(PER_ADDRESS_CAP);
    expect(open).toBeGreaterThan(PER_ADDRESS_CAP / 2);
    expect(health.status).toBe(200);
    expect(healthMs).toBeLessThan(100);
    expect(rssGrowth).toBeLessThan(RSS_BOUND_BYTES);
  });

  it('cuts off a request whose headers trickle in, at HTTP_HEADERS_TIMEOUT_MS', async () => {
    const { ms, answer } = await trickle(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n', 'X-Slow: '.padEnd(200, 'a'), 8000);
    console.log(JSON.stringify({ slowHeaders: { closedAfterMs: Math.round(ms), answer } }));
    expect(ms).toBeLessThan(4000);
    expect(answer).not.toMatch(/ 200 /);
  });

  it('cuts off a body that trickles in, at HTTP_REQUEST_TIMEOUT_MS, with nothing written', async () => {
    const body = JSON.stringify({ username: 'slow', email: 'slow@example.com', password: 'password-123' });
    const head = `POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { ms, answer } = await trickle(port, head, body, 12_000);
    console.log(JSON.stringify({ slowBody: { closedAfterMs: Math.round(ms), answer } }));
    expect(ms).toBeLessThan(4000);
    expect(answer).not.toMatch(/ 202 /);
    expect(await ctx.mongo.db(ctx.dbName).collection('users').countDocuments({ username: 'slow' })).toBe(0);
  });
});
