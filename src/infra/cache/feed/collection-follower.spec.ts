import type { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { mongo } from 'mongoose';
import { CollectionFollower } from './collection-follower';
import type { FeedStream, FollowerContext } from './follower-context';
import { documentSource } from './feed-source';
import type { FeedTokens } from './feed-tokens';

/** A change stream stand-in: the test emits its cursor's 'init', its events and its errors. */
class FakeStream extends EventEmitter {
  readonly cursor = new EventEmitter();
  resumeToken?: mongo.ResumeToken;
  closed = false;
  constructor(readonly options: mongo.ChangeStreamOptions) {
    super();
  }
  async close() {
    this.closed = true;
  }
  /** Closed by the server (the driver's 'close' with no resume after it). */
  end() {
    this.closed = true;
    this.emit('close');
  }
}

function harness(stored?: mongo.ResumeToken) {
  const streams: FakeStream[] = [];
  const log: string[] = [];
  let storedToken = stored;
  const tokens = {
    load: async () => storedToken,
    forget: async () => void (storedToken = undefined),
  } as unknown as FeedTokens;
  const ctx: FollowerContext = {
    logger: { log() {}, warn() {}, error() {}, debug() {} } as unknown as Logger,
    tokens,
    reopenMaxMs: 1000,
    resumeWindowMs: 20,
    watch: (_collection, options) => {
      const stream = new FakeStream(options);
      streams.push(stream);
      return stream as unknown as FeedStream;
    },
    following: () => true,
    applier: {
      receive: (collection, targets) => void log.push(`received ${collection} ${JSON.stringify(targets)}`),
      drop: (collection) => void log.push(`afresh ${collection}`),
      flush: async () => void log.push('flush'),
    },
    opened: (follower) => void log.push(`opened ${follower.collection}`),
    unsupported: async (error) => void log.push(`unsupported ${error.message}`),
  };
  const follower = new CollectionFollower(documentSource('games', 'games'), ctx);
  const next = async (count: number) => {
    const deadline = Date.now() + 3000;
    while (streams.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return streams[count - 1];
  };
  return { follower, streams, log, next, stored: () => storedToken };
}

describe('CollectionFollower', () => {
  it('resumes after the stored token, maps events, and reopens from the applied token after a transient error', async () => {
    const { follower, log, next } = harness({ _data: 'stored' });
    await follower.start();
    const first = await next(1);
    expect(first.options).toMatchObject({ resumeAfter: { _data: 'stored' }, fullDocument: 'updateLookup' });
    first.cursor.emit('init');
    await new Promise((r) => setImmediate(r));
    expect([follower.open, follower.resumes, log]).toEqual([true, 1, ['opened games']]);
    first.emit('change', { _id: { _data: 'e1' }, operationType: 'update', documentKey: { _id: 'g1' } });
    expect(log).toContain('received games [{"namespace":"games","ids":["g1"]}]');
    follower.token = { _data: 'e1' }; // applied
    first.emit('error', Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' }));
    const second = await next(2);
    expect(first.closed).toBe(true);
    expect(log).toContain('flush');
    expect(second.options).toMatchObject({ resumeAfter: { _data: 'e1' } });
    await follower.stop();
  });

  it('starts afresh (dropping what the collection feeds) when the history is lost, and after an invalidate event starts after it', async () => {
    const { follower, log, next, stored } = harness({ _data: 'old' });
    await follower.start();
    const first = await next(1);
    first.emit('error', Object.assign(new Error('resume point no longer in the oplog'), { code: 286 }));
    const second = await next(2);
    expect([stored(), follower.historyLost, second.options.resumeAfter]).toEqual([undefined, 1, undefined]);
    second.cursor.emit('init');
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['flush', 'afresh games', 'flush', 'opened games']);
    second.emit('change', { _id: { _data: 'inv' }, operationType: 'invalidate' });
    expect(log.at(-1)).toBe('received games [{"namespace":"games","whole":true}]');
    second.end();
    const third = await next(3);
    expect(third.options.startAfter).toEqual({ _data: 'inv' });
    await follower.stop();
  });

  it('stops trying where change streams are not supported', async () => {
    const { follower, log, next, streams } = harness();
    await follower.start();
    (await next(1)).emit('error', Object.assign(new Error('only supported on replica sets'), { code: 40573 }));
    await new Promise((r) => setTimeout(r, 300));
    expect(log).toEqual(['unsupported only supported on replica sets']);
    expect(streams).toHaveLength(1);
  });
});
