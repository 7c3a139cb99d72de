/**
 * The API's own writes and the change feed, against real servers (two instances, both feed
 * followers): an API write is invalidated once, by the writer, and the followers skip its change
 * event (each follower would otherwise run the invalidation script again: 3 per write). An outside
 * write to the same document right after an API write (whose record is still in Redis) is still
 * invalidated by the feed: a record covers only the change event with its own clusterTime.
 *
 * Invalidation scripts are counted with MONITOR on the suite's Redis db: EVALSHA/EVAL calls whose
 * first key is the games namespace's generation counter (the invalidation script bumps it; the
 * store script, the lease and the refresh lock name other keys first).
 */
import type Redis from 'ioredis';
import { ObjectId } from 'mongodb';
import { ChangeFeed } from '../../src/infra/cache';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { createGame } from '../games/games-helpers';
import { monitorRedis } from '../harness/redis-monitor';

const WRITES = 6;

describe('change feed and the API’s own writes', () => {
  let ctx: TestContext;
  let apps: TestApp[];
  const feeds = () => apps.map((app) => app.app.get(ChangeFeed));

  /** Runs `write` and waits until both followers have handled the `events` change events it makes. */
  const handled = async <T>(events: number, write: () => Promise<T>): Promise<T> => {
    const before = feeds().map((feed) => feed.processed);
    const result = await write();
    const done = () => feeds().every((feed, i) => feed.processed >= before[i] + events && feed.backlog === 0);
    expect(await eventually(done, 3000)).toBe(true);
    return result;
  };

  beforeAll(async () => {
    ctx = await createTestContext('feed_api_writes');
    const env = { CACHE_FEED_ENABLED: true, CACHE_FEED_FOLLOWERS: 2 };
    apps = [await ctx.startApp(env), await ctx.startApp(env)];
    for (const feed of feeds()) expect(await eventually(() => feed.running, 5000)).toBe(true);
    await handled(1, () => createGame(apps[0], 'Warm Up')); // loads the scripts
  }, 60_000);
  afterAll(() => ctx.close());

  it(`runs one invalidation script per API write with two instances following (${WRITES} writes: creates and updates)`, async () => {
    const dbIndex = Number(new URL(ctx.env.REDIS_URL!).pathname.slice(1));
    const scripts: string[] = [];
    const monitor: Redis = await monitorRedis(ctx.redis);
    monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
      const name = String(args[0]).toLowerCase();
      if (Number(database) === dbIndex && (name === 'evalsha' || name === 'eval') && args[3] === 'games:meta:gen') scripts.push(name);
    });
    const skippedBefore = feeds().map((feed) => feed.snapshot().eventsSkipped);
    for (let i = 0; i < WRITES / 2; i++) {
      const writer = apps[i % 2];
      const id = await handled(1, () => createGame(writer, `Once ${i}`));
      await handled(1, () =>
        writer.http
          .patch(`/games/${id}`)
          .set(adminAuth)
          .send({ price: 1 + i })
          .expect(200),
      );
    }
    await monitor.disconnect();
    const skipped = feeds().map((feed, i) => feed.snapshot().eventsSkipped - skippedBefore[i]);
    console.log(JSON.stringify({ apiWrites: WRITES, invalidationScripts: scripts.length, skippedByEachFollower: skipped }));
    expect(scripts.length / WRITES).toBe(1);
    expect(skipped).toEqual([WRITES, WRITES]);
  });

  it('repairs an outside write to the same document made after an API write (its value cached meanwhile), on both instances within 1 s', async () => {
    const id = await handled(1, () => createGame(apps[0], 'Then Outside'));
    const path = `/games/${id}`;
    const cached = async (price: number) => {
      for (const app of apps) {
        const hit = async () => {
          const res = await app.http.get(path);
          return res.headers['x-cache'] === 'HIT' && res.body.price === price;
        };
        expect(await eventually(hit, 2000)).toBe(true);
      }
    };
    // The API's write, its event skipped by both followers, and its value cached again on both instances.
    await handled(1, () => apps[0].http.patch(path).set(adminAuth).send({ price: 1.11 }).expect(200));
    await cached(1.11);
    // Within the record's lifetime, another client writes the same document: only the feed can repair it.
    await ctx.mongo
      .db(ctx.dbName)
      .collection('games')
      .updateOne({ _id: new ObjectId(id) }, { $set: { price_cents: 222 } });
    const acknowledged = Date.now();
    const fresh = await Promise.all(apps.map((app) => eventually(async () => (await app.http.get(path)).body.price === 2.22, 1000)));
    expect({ fresh, withinMs: Date.now() - acknowledged <= 1100 }).toEqual({ fresh: [true, true], withinMs: true });
  });
});
