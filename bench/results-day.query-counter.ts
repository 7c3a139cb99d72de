import { createServer, Server, Socket, connect } from 'node:net';

/**
 * Counts the commands MongoDB receives, at the wire: a TCP proxy in front of the server that reads
 * each OP_MSG body's first key (the command name) and first value (the collection). The app under
 * test runs in another process, and the stand-in has no `serverStatus` opcounters, so counting what
 * actually crosses the socket is the measure that holds for both the stand-in and a real mongod.
 */
export interface QueryCounter {
  /** Point the app here (directConnection, so a replica set's host list does not bypass the proxy). */
  uri: string;
  /** Commands seen since the last reset, keyed "<command> <collection>" (e.g. "find students"). */
  counts(): Record<string, number>;
  reset(): void;
  stop(): Promise<void>;
}

const OP_MSG = 2013;

export async function startQueryCounter(mongodbUri: string): Promise<QueryCounter> {
  const target = /^mongodb:\/\/([^/?,]+)/.exec(mongodbUri)?.[1];
  if (!target) throw new Error(`the query counter needs a single-host mongodb:// URI, got ${mongodbUri}`);
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  let counts: Record<string, number> = {};
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    sockets.add(client).add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 16) {
        const length = pending.readInt32LE(0);
        if (pending.length < length) break;
        if (pending.readInt32LE(12) === OP_MSG) count(pending.subarray(0, length));
        pending = pending.subarray(length);
      }
    });
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });

  function count(message: Buffer) {
    // header (16) + flagBits (4) + section kind byte; kind 0 = the command body document
    if (message[20] !== 0) return;
    const doc = 21;
    const type = message[doc + 4];
    const keyEnd = message.indexOf(0, doc + 5);
    const command = message.toString('utf8', doc + 5, keyEnd);
    let collection = '';
    if (type === 0x02) {
      const length = message.readInt32LE(keyEnd + 1);
      collection = message.toString('utf8', keyEnd + 5, keyEnd + 4 + length);
    }
    const key = collection ? `${command} ${collection}` : command;
    counts[key] = (counts[key] ?? 0) + 1;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    uri: `mongodb://127.0.0.1:${address.port}/?directConnection=true`,
    counts: () => ({ ...counts }),
    reset: () => void (counts = {}),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
