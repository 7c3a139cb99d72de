/**
 * The change feed through a MongoDB outage, against real processes: the suite kills (-9) its own
 * MongoDB stand-in for 20 s and restarts it on the same port. While it is down, /health and /metrics
 * say which streams are closed and the feed logs it; once it answers again the feed reopens at once
 * (not on a back-off grown to tens of seconds), so a write made straight in MongoDB right after the
 * restart reaches the cache within 2 s of MongoDB answering.
 *
 * The stand-in keeps its data in memory, so it restarts empty: the write after the restart is a new
 * document, and the cached list (stored before the outage) must drop. Its resume tokens are
 * timestamps, so resuming after an old token simply follows the new oplog; a real replica set that
 * lost its oplog answers ChangeStreamHistoryLost instead, and the feed drops what the collection feeds.
 */
import { Logger } from '@nestjs/common';
import { MongoClient } from 'mongodb';
import { ChangeFeed } from '../../src/infra/cache';
import { RunningServer, startMongoStandin } from '../../src/infra/embedded/mongo-standin';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { createGame } from '../games/games-helpers';

const OUTAGE_MS = 20_000;
const BOUND_MS = 2000;

describe('change feed: MongoDB killed and restarted on the same port', () => {
  let ctx: TestContext;
  let mongo: RunningServer | undefined;
  let port: number;
  let api: TestApp;
  let outside: MongoClient | undefined;
  const logged: string[] = [];

  const start = async () => (mongo = await startMongoStandin({ port, oplog: true, maxHeap: '256m' }));

  beforeAll(async () => {
    for (const level of ['log', 'warn'] as const) {
      const original = Logger.prototype[level];
      jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, message: unknown, ...rest: unknown[]) {
        logged.push(String(message));
        return original.call(this, message, ...(rest as []));
      });
    }
    ctx = await createTestContext('feed_mongo_restart');
    port = 0;
    port = Number(new URL((await start()).uri).port);
    api = await ctx.startApp({ MONGODB_URI: `mongodb://127.0.0.1:${port}/`, CACHE_FEED_ENABLED: true, CACHE_FEED_FOLLOWERS: 1 });
    await api.app.get(ChangeFeed).ready();
  }, 60_000);
  afterAll(async () => {
    jest.restoreAllMocks();
    await ctx.close();
    await outside?.close();
    await mongo?.stop();
  });

  it('reports the closed streams, reopens as soon as MongoDB answers, and invalidates a write made then within 2 s', async () => {
    const feed = api.app.get(ChangeFeed);
    const applied = feed.processed;
    await createGame(api, 'Before Restart'); // leaves a stored resume token
    expect(await eventually(() => feed.processed > applied && feed.backlog === 0, 3000)).toBe(true);
    const list = '/games?publisher=After%20Restart';
    expect(await eventually(async () => (await api.http.get(list).expect(200)).headers['x-cache'] === 'HIT', 3000)).toBe(true);

    process.kill(mongo!.pid, 'SIGKILL');
    mongo = undefined;
    const killedAt = Date.now();
    const health = async () => (await api.http.get('/health')).body as { changeFeed: string; changeFeedClosed?: string[] };
    expect(await eventually(async () => (await health()).changeFeed === 'reopening', 5000, 100)).toBe(true);
    expect((await health()).changeFeedClosed).toEqual(expect.arrayContaining(['games', 'clients']));
    const metrics = (await api.http.get('/metrics').set(adminAuth).expect(200)).text;
    expect(metrics).toMatch(/cache_feed_stream_open\{collection="games"\} 0/);
    expect(logged.some((m) => /change stream of games closed/.test(m))).toBe(true);
    // The outage itself: what is measured is what happens after it.
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - killedAt)));

    await start();
    const answeredAt = Date.now();
    outside = await MongoClient.connect(mongo!.uri);
    await outside
      .db(ctx.dbName)
      .collection('games')
      .insertOne({
        item: 'After Restart',
        publisher: 'After Restart',
        year: 2024,
        genre: ['X'],
        platforms: ['PC'],
        price_cents: 100,
        available: 1,
      });
    const writtenAt = Date.now();
    const fresh = await eventually(async () => (await api.http.get(list)).body.total === 1, BOUND_MS + 3000, 20);
    const seenAt = Date.now();
    console.log(JSON.stringify({ mongoRestart: { writeAckMs: writtenAt - answeredAt, freshAfterAnswerMs: seenAt - answeredAt } }));
    expect(fresh).toBe(true);
    expect(seenAt - answeredAt).toBeLessThanOrEqual(BOUND_MS);

    expect(await eventually(async () => (await health()).changeFeed === 'following', 3000, 100)).toBe(true);
    expect((await health()).changeFeedClosed ?? []).toEqual([]);
    expect(logged.some((m) => /change stream of games reopened/.test(m))).toBe(true);
  }, 60_000);
});
