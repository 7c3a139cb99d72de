import { createConnection, createServer, Server, Socket } from 'node:net';

/** Which way bytes travel: `up` from the client to the server, `down` from the server back. */
export type Direction = 'up' | 'down';

/**
 * One direction of one proxied connection: every chunk is written `latencyMs` after it arrived,
 * in arrival order even when the latency changes meanwhile (a chunk never overtakes an earlier one).
 */
class DelayedPipe {
  private readonly queue: { chunk: Buffer; dueAt: number }[] = [];
  private timer?: NodeJS.Timeout;
  private lastDueAt = 0;

  constructor(
    private readonly to: Socket,
    private readonly latencyMs: () => number,
    private readonly dropped: () => boolean,
  ) {}

  push(chunk: Buffer) {
    if (this.dropped()) return;
    const dueAt = Math.max(performance.now() + this.latencyMs(), this.lastDueAt);
    this.lastDueAt = dueAt;
    this.queue.push({ chunk, dueAt });
    this.schedule();
  }

  stop() {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private schedule() {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.queue[0].dueAt - performance.now()));
  }

  private flush() {
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0].dueAt <= now + 1) {
      const { chunk } = this.queue.shift()!;
      if (!this.to.destroyed) this.to.write(chunk);
    }
    this.schedule();
  }
}

/**
 * RST for a socket still open both ways; a plain close for one already ending (the peer's FIN makes
 * Node end it): there libuv refuses the reset, and Node 24 then leaves the handle open for good,
 * so the process spins at exit waiting for it to close.
 */
function reset(socket: Socket) {
  if (socket.writableEnded || socket.destroyed) socket.destroy();
  else socket.resetAndDestroy();
}

/**
 * A TCP proxy for fault tests and benchmarks: it adds a fixed latency per direction to every chunk
 * (keeping their order), can blackhole (swallow everything, both ways, keeping the sockets open, as
 * a network partition looks to both ends) and can reset every connection. One proxy per link, so
 * one instance's link can be slowed while another's is not.
 */
export class LatencyProxy {
  private server?: Server;
  private readonly latency: Record<Direction, number> = { up: 0, down: 0 };
  private blackholed = false;
  private readonly connections = new Set<{ client: Socket; upstream: Socket; pipes: DelayedPipe[] }>();
  /** Connections accepted since the proxy started (a reconnect shows up here). */
  accepted = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** A proxy in front of the server at `url` (any scheme://host:port/... URL). */
  static for(url: string): LatencyProxy {
    const { hostname, port } = new URL(url);
    return new LatencyProxy({ host: hostname, port: Number(port) });
  }

  /** Starts listening on a free loopback port; returns it. */
  async listen(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('the proxy has no port');
    return address.port;
  }

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the proxy is not listening');
    return address.port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString().replace(/\/$/, '');
  }

  /** Latency added to every chunk from now on, per direction (0 removes it). */
  setLatency(latency: Partial<Record<Direction, number>>): void {
    Object.assign(this.latency, latency);
  }

  /** While on, every byte either way is swallowed; the connections stay open. Bytes swallowed are lost. */
  blackhole(on: boolean): void {
    this.blackholed = on;
  }

  /** Resets every open connection (RST to both ends), as a dropped NAT entry or a restarted proxy does. */
  resetAll(): void {
    for (const connection of this.connections) {
      for (const pipe of connection.pipes) pipe.stop();
      reset(connection.client);
      reset(connection.upstream);
    }
    this.connections.clear();
  }

  /** Back to a plain proxy: no latency, no blackhole. */
  clear(): void {
    this.setLatency({ up: 0, down: 0 });
    this.blackhole(false);
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket) {
    this.accepted++;
    client.setNoDelay(true);
    const upstream = createConnection(this.target);
    upstream.setNoDelay(true);
    const dropped = () => this.blackholed;
    const up = new DelayedPipe(upstream, () => this.latency.up, dropped);
    const down = new DelayedPipe(client, () => this.latency.down, dropped);
    const connection = { client, upstream, pipes: [up, down] };
    this.connections.add(connection);
    client.on('data', (chunk: Buffer) => up.push(chunk));
    upstream.on('data', (chunk: Buffer) => down.push(chunk));
    const end = () => {
      up.stop();
      down.stop();
      client.destroy();
      upstream.destroy();
      this.connections.delete(connection);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
