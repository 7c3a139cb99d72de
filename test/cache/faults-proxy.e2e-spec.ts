/**
 * The latency proxy the fault suites and bench:faults put between an app and Redis: it must really
 * delay (each direction on its own), keep the order of bytes when the latency changes mid-stream,
 * swallow everything while blackholed and reset connections. Checked against the run's real Redis.
 */
import Redis from 'ioredis';
import { connect, Socket } from 'node:net';
import { eventually } from '../harness/test-app';
import { LatencyProxy } from '../harness/latency-proxy';

/** Scheduling slack on a loaded machine: a delayed answer may come this much later than asked, never earlier. */
const SLACK_MS = 400;
/** Node's timers may fire up to a millisecond before performance.now() says they are due. */
const TIMER_EARLY_MS = 2;

describe('fault harness: the latency proxy', () => {
  let proxy: LatencyProxy;
  let redis: Redis;

  beforeAll(async () => {
    proxy = LatencyProxy.for(process.env.TEST_REDIS_URL!);
    await proxy.listen();
    redis = new Redis(proxy.url(process.env.TEST_REDIS_URL!), { maxRetriesPerRequest: 1 });
    await redis.ping();
  });
  afterEach(() => proxy.clear());
  afterAll(async () => {
    redis.disconnect();
    await proxy.close();
  });

  const roundTrip = async () => {
    const started = performance.now();
    await redis.ping();
    return performance.now() - started;
  };

  it('adds the latency asked for, per direction, to every round trip', async () => {
    const plain = Math.min(await roundTrip(), await roundTrip(), await roundTrip());
    proxy.setLatency({ down: 300 });
    const down = await roundTrip();
    proxy.setLatency({ up: 200, down: 300 });
    const both = await roundTrip();
    proxy.setLatency({ up: 0, down: 0 });
    const back = await roundTrip();
    console.log(JSON.stringify({ proxy: 'latency', plainMs: plain, downMs: down, bothMs: both, backMs: back }));
    expect(down).toBeGreaterThanOrEqual(300 - TIMER_EARLY_MS);
    expect(down).toBeLessThan(300 + SLACK_MS);
    expect(both).toBeGreaterThanOrEqual(500 - TIMER_EARLY_MS);
    expect(both).toBeLessThan(500 + SLACK_MS);
    expect(back).toBeLessThan(300);
  });

  it('keeps every byte in order when the latency drops mid-stream', async () => {
    await redis.del('proxy:order');
    proxy.setLatency({ up: 300 });
    const first = Array.from({ length: 100 }, () => redis.incr('proxy:order'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Sent later with no latency: without ordering these would reach Redis first.
    proxy.setLatency({ up: 0 });
    const second = Array.from({ length: 100 }, () => redis.incr('proxy:order'));
    const results = await Promise.all([...first, ...second]);
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('swallows everything while blackholed, then forwards again', async () => {
    const socket = await rawConnection(proxy.port);
    const received: string[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    proxy.blackhole(true);
    socket.write('PING\r\n');
    const swallowed = await eventually(() => received.length > 0, 500, 20);
    expect(swallowed).toBe(false);
    proxy.blackhole(false);
    socket.write('PING\r\n');
    expect(await eventually(() => received.join('') === '+PONG\r\n', 2000, 10)).toBe(true);
    socket.destroy();
  });

  it('resets every open connection', async () => {
    const socket = await rawConnection(proxy.port);
    const closed = new Promise<string>((resolve) => {
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.on('close', () => resolve('closed'));
    });
    const accepted = proxy.accepted;
    proxy.resetAll();
    expect(await closed).toBe('ECONNRESET');
    // ioredis notices the reset and reconnects through the proxy.
    expect(await eventually(async () => (await redis.ping().catch(() => 'no')) === 'PONG', 5000, 50)).toBe(true);
    expect(proxy.accepted).toBeGreaterThan(accepted);
  });
});

function rawConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}
