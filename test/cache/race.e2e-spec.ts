/**
 * The classic cache-aside race, forced deterministically: a read fetches the old document,
 * a write updates MongoDB and invalidates, then the read tries to store what it fetched.
 * The generation guard must discard that store in both tiers.
 */
import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';
import { gate, RaceModule, startHeldRead as startHeld } from './race-module';

describe('shared cache: no stale repopulation', () => {
  let ctx: TestContext;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('race');
    api = await ctx.startApp({}, [RaceModule]);
  });
  afterAll(() => ctx.close());

  const startHeldRead = (id: string) => startHeld(ctx, api, id);

  it('discards a fill that read MongoDB before a write invalidated, in both tiers', async () => {
    const id = 'doc-a';
    const staleRead = (await startHeldRead(id)).response; // it holds { value: 'old' }

    const write = await api.http.put(`/race/${id}`).send({ value: 'new' }).expect(200);
    expect(write.body.value).toBe('new');

    gate.open();
    const stale = await staleRead;
    expect(stale.body.value).toBe('old'); // that response was in flight before the write: fine
    expect(stale.headers['x-cache']).toBe('MISS');

    // ...but it must not have been stored in either tier.
    expect(await ctx.redis.get(`race:id:${id}`)).toBeNull();
    const next = await api.http.get(`/race/${id}`).expect(200);
    expect(next.headers['x-cache']).toBe('MISS');
    expect(next.body.value).toBe('new');
    const hit = await api.http.get(`/race/${id}`).expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body.value).toBe('new');
    expect(JSON.parse((await ctx.redis.get(`race:id:${id}`))!).value).toBe('new');
  });

  it('discards a fill that read MongoDB before an admin delete of its key, in both tiers', async () => {
    const id = 'doc-d';
    const staleRead = (await startHeldRead(id)).response; // it holds { value: 'old' }
    // Written outside the API (no invalidation), then the operator deletes the entry to force a refresh.
    await ctx.mongo
      .db(ctx.dbName)
      .collection('race_docs')
      .updateOne({ _id: id as never }, { $set: { value: 'new' } });
    const deleted = await api.http.delete(`/cache/entries/race:id:${id}`).set(adminAuth);
    expect([204, 404]).toContain(deleted.status); // nothing was cached yet: the fill is still in flight

    gate.open();
    expect((await staleRead).body.value).toBe('old');
    expect(await ctx.redis.get(`race:id:${id}`)).toBeNull();
    const next = await api.http.get(`/race/${id}`).expect(200);
    expect(next.headers['x-cache']).toBe('MISS');
    expect(next.body.value).toBe('new');
  });

  it('a request arriving after a write does not join a load that started before it', async () => {
    const id = 'doc-c';
    const first = (await startHeldRead(id)).response;
    await api.http.put(`/race/${id}`).send({ value: 'new' }).expect(200);
    // Without the flight being forgotten on invalidation this would wait for and share 'old'.
    const after = await api.http.get(`/race/${id}`).expect(200);
    expect(after.body.value).toBe('new');
    gate.open();
    await first;
  });
});
