/**
 * The change feed against real servers: writes made straight to MongoDB by a second client (not
 * through the API) reach every instance's cache within 1 s, for each module; an instance stopped
 * between its write and its invalidation leaves nothing stale; a leader that dies is replaced and
 * the new one resumes from the token stored in Redis; lost history drops what the collection feeds.
 */
import type { Collection, Document } from 'mongodb';
import { ObjectId } from 'mongodb';
import { CacheInvalidator, ChangeFeed } from '../../src/infra/cache';
import { adminAuth, eventually, TestApp, TestContext, createTestContext } from '../harness/test-app';
import { Caller, createCollection, generateImage, signUp, startImagedoc, upload } from '../imagedoc/imagedoc-helpers';
import { createGame } from '../games/games-helpers';

/**
 * Short lease so that a dead leader is replaced quickly in the failover test (both instances share
 * this process's event loop). One follower: this suite proves the election and the lease's failover;
 * two followers are in change-feed-followers.e2e-spec.ts.
 */
const LEASE_MS = 2000;

describe('change feed: every committed write reaches every instance', () => {
  let ctx: TestContext;
  let a: TestApp;
  let b: TestApp;
  let feedA: ChangeFeed;
  let feedB: ChangeFeed;
  let games: Collection<Document>;
  let ana: Caller;

  const db = () => ctx.mongo.db(ctx.dbName);
  /**
   * GETs `path` on the instance until it is a cache HIT, so that a stale copy would be served. (The
   * feed also invalidates after the API's own writes, so the first copy may be dropped once.)
   */
  const cached = async (app: TestApp, path: string, auth: Record<string, string> = adminAuth) => {
    const hit = await eventually(async () => {
      const res = await app.http.get(path).set(auth).expect(200);
      return res.headers['x-cache'] === 'HIT';
    }, 2000);
    expect(hit).toBe(true);
  };
  /**
   * Runs `write` and waits until the leader has applied the `events` change events it makes, so that
   * a copy cached afterwards is not dropped by those events arriving late (that drop is the feed
   * doing its job, but it would race the assertions below).
   */
  const applied = async <T>(feed: ChangeFeed, events: number, write: () => Promise<T>): Promise<T> => {
    const before = feed.snapshot().eventsApplied;
    const result = await write();
    expect(await eventually(() => feed.snapshot().eventsApplied >= before + events && feed.backlog === 0, 3000)).toBe(true);
    return result;
  };
  /** True when both instances serve what `check` wants within 1 s of now (the write's acknowledgement). */
  const bothWithinOneSecond = async (
    path: string,
    check: (body: Record<string, unknown>) => boolean,
    auth: Record<string, string> = adminAuth,
  ) => {
    const started = Date.now();
    const seen = await Promise.all(
      [a, b].map((app) => eventually(async () => check((await app.http.get(path).set(auth)).body as Record<string, unknown>), 1000)),
    );
    return seen.every(Boolean) && Date.now() - started <= 1100;
  };

  beforeAll(async () => {
    ctx = await createTestContext('change_feed');
    const first = await startImagedoc(ctx, { CACHE_FEED_ENABLED: 'true', CACHE_FEED_FOLLOWERS: 1, CACHE_FEED_LEASE_MS: LEASE_MS });
    a = first.api;
    feedA = a.app.get(ChangeFeed);
    await feedA.ready();
    b = (
      await startImagedoc(ctx, {
        STORAGE_DIR: first.storageDir,
        CACHE_FEED_ENABLED: 'true',
        CACHE_FEED_FOLLOWERS: 1,
        CACHE_FEED_LEASE_MS: LEASE_MS,
      })
    ).api;
    feedB = b.app.get(ChangeFeed);
    games = db().collection('games');
    ana = await signUp(a, 'ana');
  }, 60_000);
  afterAll(() => ctx.close());

  it('elects one follower: the first instance leads, the second stands by', () => {
    expect(feedA.snapshot()).toMatchObject({ state: 'following', leader: true });
    expect(feedA.snapshot().collections).toEqual(
      expect.arrayContaining(['games', 'clients', 'collections', 'documents', 'customer_monthly_spending', 'students']),
    );
    expect(feedB.snapshot()).toMatchObject({ state: 'standby', leader: false });
  });

  it('games: a price changed by another MongoDB client is served by both instances within 1 s (id and list)', async () => {
    const id = await createGame(a, 'Feed Knight');
    await Promise.all([a, b].flatMap((app) => [cached(app, `/games/${id}`), cached(app, '/games?publisher=Feed%20Knight')]));
    await games.updateOne({ _id: new ObjectId(id) }, { $set: { price_cents: 1999 } });
    expect(await bothWithinOneSecond(`/games/${id}`, (g) => g.price === 19.99)).toBe(true);
    expect(await bothWithinOneSecond('/games?publisher=Feed%20Knight', (p) => (p.items as { price: number }[])[0]?.price === 19.99)).toBe(
      true,
    );
  });

  it('clients: a client renamed straight in MongoDB is served renamed by both instances within 1 s', async () => {
    const id = String(
      (await a.http.post('/clients').set(adminAuth).send({ name: 'Before', email: 'feed@example.com', membership: 'basic' }).expect(201))
        .body._id,
    );
    await Promise.all([a, b].map((app) => cached(app, `/clients/${id}`)));
    await db()
      .collection('clients')
      .updateOne({ _id: new ObjectId(id) }, { $set: { name: 'After' } });
    expect(await bothWithinOneSecond(`/clients/${id}`, (c) => c.name === 'After')).toBe(true);
  });

  it("imagedoc collections: an outside title change shows in the owner's cached list on both instances within 1 s", async () => {
    const collection = await createCollection(a, ana, 'Antes');
    await Promise.all([a, b].map((app) => cached(app, '/collections', ana.auth)));
    await db()
      .collection('collections')
      .updateOne({ _id: new ObjectId(collection._id) }, { $set: { title: 'Depois' } });
    const titled = (page: Record<string, unknown>) =>
      (page.items as { _id: string; title: string }[]).some((c) => c._id === collection._id && c.title === 'Depois');
    expect(await bothWithinOneSecond('/collections', titled, ana.auth)).toBe(true);
  });

  it('imagedoc documents: deleting a derived document outside the API drops the cached edit naming it, on both instances within 1 s', async () => {
    const collection = await createCollection(a, ana, 'Fotos');
    const image = (await upload(a, ana, collection._id, await generateImage('FEED', 'png', 50, 300, 120), 'feed.png')).body as {
      _id: string;
    };
    const resize = (app: TestApp) =>
      app.http
        .post(`/documents/${image._id}/operations`)
        .set(ana.auth)
        .send({ type: 'resize', params: { width: 60 } });
    const derived = (await resize(a).expect(200)).body.result.document._id as string;
    for (const app of [a, b]) {
      expect(await eventually(async () => (await resize(app).expect(200)).headers['x-cache'] === 'HIT', 2000)).toBe(true);
    }
    await db()
      .collection('documents')
      .deleteOne({ _id: new ObjectId(derived) });
    const started = Date.now();
    // When the first request that got a fresh answer was sent: a fresh answer means running the
    // edit again in a worker, which takes its own time after the feed's invalidation.
    const freshAsOf = async (app: TestApp) => {
      while (Date.now() - started < 5000) {
        const sent = Date.now();
        if ((await resize(app)).body?.result?.document?._id !== derived) return sent - started;
      }
      return Infinity;
    };
    const staleFor = await Promise.all([a, b].map(freshAsOf));
    expect(Math.max(...staleFor)).toBeLessThanOrEqual(1000);
  });

  it('commerce: a spending row rewritten outside the API (e.g. a crunch in another process) is served by both instances within 1 s', async () => {
    const customer = new ObjectId().toHexString();
    const spending = db().collection<Document & { _id: string }>('customer_monthly_spending');
    await spending.insertOne({ _id: customer, customer_id: customer, email: 'c@example.com', monthly_avg_expense: 10 });
    await Promise.all([a, b].map((app) => cached(app, `/commerce/spending/${customer}`)));
    await spending.updateOne({ _id: customer }, { $set: { monthly_avg_expense: 99 } });
    expect(await bothWithinOneSecond(`/commerce/spending/${customer}`, (row) => row.monthly_avg_expense === 99)).toBe(true);
  });

  it('crash: an instance stopped after its MongoDB write and before its invalidation leaves nothing stale for more than 1 s', async () => {
    const list = '/games?publisher=Crash%20Test';
    await Promise.all([a, b].map((app) => cached(app, list)));
    expect(feedB.snapshot().leader).toBe(false); // the writer is not the follower
    // The test hook: b's process stops right after its write, before invalidating (it never gets there).
    let resume!: () => void;
    const stopped = new Promise<void>((r) => (resume = r));
    const hook = jest.spyOn(b.app.get(CacheInvalidator), 'invalidate').mockImplementation(() => stopped);
    // A create (insert): the stand-in records no change events for findAndModify writes (see README).
    const write = createGame(b, 'Crash Test');
    try {
      expect(await eventually(async () => (await games.countDocuments({ publisher: 'Crash Test' })) === 1, 2000, 5)).toBe(true);
      expect(await bothWithinOneSecond(list, (page) => page.total === 1)).toBe(true);
    } finally {
      hook.mockRestore();
      resume();
    }
    await write;
  });

  it('history lost: the collection feed is dropped whole, logged, and the stream follows again', async () => {
    const id = await applied(feedA, 1, () => createGame(a, 'Lost History'));
    await cached(a, `/games/${id}`);
    expect(await ctx.redis.exists(`games:id:${id}`)).toBe(1);
    const follower = (feedA as unknown as { followers: Map<string, { stream: NodeJS.EventEmitter }> }).followers.get('games')!;
    follower.stream.emit('error', Object.assign(new Error('resume point no longer in the oplog'), { code: 286 }));
    // Nothing wrote that game: only the drop of everything the collection feeds removes it.
    expect(await eventually(async () => (await ctx.redis.exists(`games:id:${id}`)) === 0, 1000)).toBe(true);
    expect(await eventually(() => feedA.snapshot().historyLost === 1, 1000)).toBe(true);
    expect(await eventually(() => feedA.running && !!follower.stream, 3000)).toBe(true);
    await feedA.ready();
    await cached(a, `/games/${id}`);
    await games.updateOne({ _id: new ObjectId(id) }, { $set: { price_cents: 42 } });
    expect(await eventually(async () => (await a.http.get(`/games/${id}`)).body.price === 0.42, 1000)).toBe(true);
  });

  it('failover: a leader that dies without releasing its lease is replaced, and the new leader resumes the changes it missed', async () => {
    const [changed, untouched] = await applied(feedA, 2, () =>
      Promise.all([createGame(a, 'Missed While Dead'), createGame(a, 'Untouched')]),
    );
    await Promise.all([cached(b, `/games/${changed}`), cached(b, `/games/${untouched}`)]);
    const resumesBefore = feedB.snapshot().resumes;
    // Dies like a killed process: streams gone, lease left in Redis until it expires.
    jest.spyOn((feedA as unknown as { leader: { release(): Promise<void> } }).leader, 'release').mockResolvedValue(undefined);
    const died = Date.now();
    await a.close();
    await games.updateOne({ _id: new ObjectId(changed) }, { $set: { price_cents: 777 } });
    expect(await eventually(async () => (await b.http.get(`/games/${changed}`)).body.price === 7.77, LEASE_MS + 2000)).toBe(true);
    // Within the lease's lifetime plus the renewal period and 1 s.
    expect(Date.now() - died).toBeLessThan(LEASE_MS + LEASE_MS / 3 + 1000);
    expect(feedB.snapshot()).toMatchObject({ state: 'following', leader: true });
    // Resumed from the stored token, not dropped wholesale: the other game's entry is still cached.
    expect((await b.http.get(`/games/${untouched}`)).headers['x-cache']).toBe('HIT');
    expect(feedB.snapshot().resumes).toBeGreaterThan(resumesBefore);
  });
});
