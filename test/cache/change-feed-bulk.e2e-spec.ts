/**
 * The change feed when its follower restarts and under a bulk write, against real servers:
 * - restart: the only follower stops, MongoDB is written meanwhile, a new one starts → it resumes
 *   from the token stored in Redis and applies the missed change (nothing else is dropped);
 * - a bulk write of 50,000 documents straight into MongoDB costs a bounded number of Redis
 *   commands (counted with MONITOR) and the API keeps answering meanwhile.
 */
import type { Collection, Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import type Redis from 'ioredis';
import { ChangeFeed } from '../../src/infra/cache';
import { createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { createGame } from '../games/games-helpers';
import { monitorRedis } from '../harness/redis-monitor';

const BULK = 50_000;

describe('change feed: restart and bulk writes', () => {
  let ctx: TestContext;
  let games: Collection<Document>;

  const cached = async (app: TestApp, path: string) =>
    expect(await eventually(async () => (await app.http.get(path).expect(200)).headers['x-cache'] === 'HIT', 2000)).toBe(true);
  /** Waits until the feed has applied everything MongoDB sent it (no event for a few batch windows). */
  const settled = async (feed: ChangeFeed) => {
    for (let quiet = 0; quiet < 3;) {
      const before = feed.processed;
      await new Promise((r) => setTimeout(r, 100));
      quiet = feed.processed === before && feed.backlog === 0 ? quiet + 1 : 0;
    }
  };

  beforeAll(async () => {
    ctx = await createTestContext('change_feed_bulk');
    games = ctx.mongo.db(ctx.dbName).collection('games');
  });
  afterAll(() => ctx.close());

  it('restart: a follower that comes back resumes from the stored token and applies the change it missed', async () => {
    const first = await ctx.startApp({ CACHE_FEED_ENABLED: true });
    const firstFeed = first.app.get(ChangeFeed);
    await firstFeed.ready();
    const changed = await createGame(first, 'Changed While Down');
    const untouched = await createGame(first, 'Untouched While Down');
    await settled(firstFeed);
    await Promise.all([cached(first, `/games/${changed}`), cached(first, `/games/${untouched}`)]);
    await first.close();

    await games.updateOne({ _id: new ObjectId(changed) }, { $set: { price_cents: 123 } });
    const second = await ctx.startApp({ CACHE_FEED_ENABLED: true });
    const feed = second.app.get(ChangeFeed);
    await feed.ready();
    // Stale for at most the restart plus 1 s.
    const fresh = await eventually(async () => (await second.http.get(`/games/${changed}`)).body.price === 1.23, 1000);
    expect(fresh).toBe(true);
    // A resume, not a wholesale drop: the game nobody wrote is still served from Redis.
    expect((await second.http.get(`/games/${untouched}`)).headers['x-cache']).toBe('HIT');
    expect(feed.snapshot().resumes).toBeGreaterThan(0);
    await second.close();
  });

  it(`a bulk write of ${BULK.toLocaleString('en')} documents costs a bounded number of Redis commands, and the API keeps answering`, async () => {
    const api = await ctx.startApp({ CACHE_FEED_ENABLED: true });
    const feed = api.app.get(ChangeFeed);
    await feed.ready();
    const id = await createGame(api, 'Before The Bulk');
    await settled(feed);
    await cached(api, `/games/${id}`);
    await cached(api, '/games?limit=5');

    const dbIndex = Number(new URL(ctx.env.REDIS_URL!).pathname.slice(1));
    const commands = new Map<string, number>();
    const monitor: Redis = await monitorRedis(ctx.redis);
    monitor.on('monitor', (_time: string, args: string[], _source: string, database: string) => {
      if (Number(database) !== dbIndex) return;
      const name = String(args[0]).toLowerCase();
      commands.set(name, (commands.get(name) ?? 0) + 1);
    });

    const appliedBefore = feed.processed;
    const statuses: number[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) {
        statuses.push((await api.http.get(`/games/${id}`)).status, (await api.http.get('/games?limit=5')).status);
      }
    })();
    for (let i = 0; i < BULK; i += 5000) {
      await games.insertMany(
        Array.from({ length: 5000 }, (_, j) => ({
          item: `Bulk ${i + j}`,
          publisher: 'Bulk',
          year: 2024,
          genre: ['Bulk'],
          platforms: ['PC'],
          price_cents: 100,
          available: 1,
        })),
        { ordered: false },
      );
    }
    const applied = await eventually(() => feed.processed - appliedBefore >= BULK && feed.backlog === 0, 60_000, 50);
    writing = false;
    await reader;
    await monitor.disconnect();

    const list = await api.http.get('/games?publisher=Bulk&limit=5').expect(200);
    const reads = (commands.get('get') ?? 0) + (commands.get('pttl') ?? 0);
    const total = [...commands.values()].reduce((a, b) => a + b, 0);
    const writes = total - reads;
    console.log(
      `bulk of ${BULK} inserts: ${total} Redis commands on the suite's db (${writes} besides the reads' GET/PTTL), ` +
        `by command ${JSON.stringify(Object.fromEntries(commands))}; ${statuses.length} API reads meanwhile; feed ${JSON.stringify(feed.snapshot())}`,
    );
    expect(applied).toBe(true);
    expect(list.body.total).toBe(BULK);
    // One invalidation per document would be 50,000 scripts plus as many publishes.
    expect(writes).toBeLessThan(BULK / 20);
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((s) => s === 200)).toBe(true);
  }, 120_000);
});
