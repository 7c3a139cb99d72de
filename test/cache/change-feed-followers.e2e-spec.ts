/**
 * Two followers (CACHE_FEED_FOLLOWERS=2): the writer that stops between its MongoDB write and its
 * invalidation, while it follows the change streams itself, leaves nothing stale for more than 1 s,
 * because the other instance is already following. (With one follower, the writer started first
 * leads, and the other instance waits for its lease: this test fails.) A real kill -9 of the
 * writer is measured by `npm run bench:faults` (crash_raw).
 */
import { CacheInvalidator, ChangeFeed } from '../../src/infra/cache';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { createGame } from '../games/games-helpers';

describe('change feed with two followers: a writer that stops mid-write while following', () => {
  let ctx: TestContext;
  let writer: TestApp;
  let reader: TestApp;
  const feedOf = (app: TestApp) => app.app.get(ChangeFeed);

  beforeAll(async () => {
    ctx = await createTestContext('change_feed_followers');
    const env = { CACHE_FEED_ENABLED: true, CACHE_FEED_FOLLOWERS: 2, CACHE_FEED_LEASE_MS: 2000 };
    // The writer first: with a single follower it would be the one.
    writer = await ctx.startApp(env);
    await feedOf(writer).ready();
    reader = await ctx.startApp(env);
    // Not ready(): with a single follower the reader stands by, and ready() would wait for ever.
    await eventually(() => feedOf(reader).running, 3000);
  }, 60_000);
  afterAll(() => ctx.close());

  it('both instances follow', () => {
    for (const app of [writer, reader]) expect(feedOf(app).snapshot()).toMatchObject({ state: 'following', leader: true });
  });

  it('the other follower repairs the reader within 1 s of the commit', async () => {
    const list = '/games?publisher=Two%20Followers';
    expect(await eventually(async () => (await reader.http.get(list).set(adminAuth)).headers['x-cache'] === 'HIT', 2000)).toBe(true);
    // The writer stops right after its write: neither its API nor its own feed invalidates again.
    let resume!: () => void;
    const stopped = new Promise<void>((r) => (resume = r));
    const hook = jest.spyOn(writer.app.get(CacheInvalidator), 'invalidate').mockImplementation(() => stopped);
    const write = createGame(writer, 'Two Followers');
    try {
      const games = ctx.mongo.db(ctx.dbName).collection('games');
      expect(await eventually(async () => (await games.countDocuments({ publisher: 'Two Followers' })) === 1, 2000, 5)).toBe(true);
      const committed = Date.now();
      const fresh = await eventually(async () => (await reader.http.get(list).set(adminAuth)).body.total === 1, 1000);
      expect({ fresh, withinMs: Date.now() - committed <= 1100 }).toEqual({ fresh: true, withinMs: true });
    } finally {
      hook.mockRestore();
      resume();
    }
    await write;
  });
});
