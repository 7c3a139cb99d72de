import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of Redis that can hold one client's writes: armed with a marker (a value
 * only the stale fill carries), it stops forwarding the connection whose outgoing bytes contain
 * the marker, from that chunk on, until released. Redis never sees the incomplete command, so the
 * store lands exactly when the benchmark says: after the concurrent write and its invalidation.
 */
export class HoldProxy {
  private server?: Server;
  private marker?: Buffer;
  private held?: { socket: Socket; chunks: Buffer[]; upstream: Socket };
  private onHeld?: () => void;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  async listen(): Promise<string> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no port');
    return `redis://127.0.0.1:${address.port}`;
  }

  /** Resolves when a connection sends `marker`; that connection is held until `release()`. */
  arm(marker: string, timeoutMs: number): Promise<boolean> {
    this.marker = Buffer.from(marker);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.marker = undefined;
        this.onHeld = undefined;
        resolve(false);
      }, timeoutMs);
      this.onHeld = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  release(): void {
    this.marker = undefined;
    const held = this.held;
    this.held = undefined;
    if (held) for (const chunk of held.chunks) held.upstream.write(chunk);
  }

  async close(): Promise<void> {
    this.release();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket) {
    const upstream = createConnection(this.target);
    this.sockets.add(client).add(upstream);
    let tail = Buffer.alloc(0); // the previous chunk's end, so a marker split across chunks is found
    client.on('data', (chunk: Buffer) => {
      if (this.held?.socket === client) return void this.held.chunks.push(chunk);
      if (this.marker && !this.held) {
        const window = Buffer.concat([tail, chunk]);
        if (window.includes(this.marker)) {
          this.held = { socket: client, chunks: [chunk], upstream };
          this.onHeld?.();
          this.onHeld = undefined;
          return;
        }
        tail = window.subarray(Math.max(0, window.length - this.marker.length));
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
