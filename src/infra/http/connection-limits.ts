import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Env } from '../../config/env';

type ConnectionEnv = Pick<
  Env,
  | 'HTTP_HEADERS_TIMEOUT_MS'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
  | 'HTTP_MAX_CONNECTIONS'
  | 'HTTP_MAX_CONNECTIONS_PER_ADDRESS'
>;

/**
 * Fastify's server options for the timeouts. Node enforces the request and headers timeouts
 * when it sweeps its connections, every 30 s by default: the sweep runs every second here (or
 * more often for shorter limits), so a slow client is cut off close to its limit.
 */
export function connectionOptions(env: ConnectionEnv): { requestTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  const headersTimeout = Math.min(env.HTTP_HEADERS_TIMEOUT_MS, env.HTTP_REQUEST_TIMEOUT_MS);
  return {
    // The whole request, body included (a slow upload is cut off with 408).
    requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 2))),
    },
  };
}

/**
 * At most HTTP_MAX_CONNECTIONS open connections, and HTTP_MAX_CONNECTIONS_PER_ADDRESS from one
 * client address (0: no cap): one more is closed as it is accepted, before Node's HTTP parser is
 * set up for it, so thousands of idle connections from one address cost almost nothing and
 * leave room for everyone else. Behind a reverse proxy every connection comes from the proxy:
 * raise the per-address cap above the proxy's own connection pool (or set 0) and let the proxy
 * limit its clients.
 */
export function limitConnections(server: Server, env: ConnectionEnv): void {
  if (env.HTTP_MAX_CONNECTIONS > 0) server.maxConnections = env.HTTP_MAX_CONNECTIONS;
  const perAddress = env.HTTP_MAX_CONNECTIONS_PER_ADDRESS;
  if (perAddress === 0) return;
  const open = new Map<string, number>();
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > perAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
