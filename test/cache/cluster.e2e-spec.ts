/**
 * The cache on a Redis Cluster (3 masters, 3 replicas; real redis-servers started by the
 * harness): the cache suite's behaviours, the hash-tagged key names that keep a namespace in one
 * slot, admin SCAN/clear over every master, and a slot moved under the running apps (MOVED).
 */
import mongoose from 'mongoose';
import Redis, { Cluster } from 'ioredis';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { RedisClusterHarness, startRedisCluster } from '../harness/redis-cluster';
import { seedDemo } from './demo-api';
import { gate, RaceModule, startHeldRead } from './race-module';

describe('shared cache: Redis Cluster', () => {
  let ctx: TestContext;
  let cluster: RedisClusterHarness;
  let redis: Cluster;
  let a: TestApp;
  let b: TestApp;
  let ids: string[];

  beforeAll(async () => {
    ctx = await createTestContext('cluster');
    cluster = await startRedisCluster();
    redis = new Redis.Cluster([{ host: '127.0.0.1', port: cluster.nodes[0].port }]);
    // A generous command timeout: these tests prove behaviours, not speed, on a loaded machine.
    const overrides = { DEMO_ROUTES: true, REDIS_URL: cluster.url, CACHE_REDIS_TIMEOUT_MS: 1000 };
    a = await ctx.startApp(overrides, [RaceModule]);
    b = await ctx.startApp(overrides, [RaceModule]);
    ids = (await seedDemo(a.http, 5)).map((item) => item._id);
  }, 180_000); // six redis-servers, a cluster create and two apps: slow on a loaded machine
  afterAll(async () => {
    redis?.disconnect();
    await ctx?.close();
    await cluster?.stop();
  });

  const slotOf = async (key: string) => Number(await redis.call('CLUSTER', 'KEYSLOT', key));

  it('MISS then HIT, under the namespace hash tag; the other instance reads L2, then L1', async () => {
    const path = `/demo/items/${ids[0]}`;
    expect((await a.http.get(path).expect(200)).headers['x-cache']).toBe('MISS');
    const hit = await a.http.get(path).expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(JSON.parse((await redis.get(`{demo}:id:${ids[0]}`))!)._id).toBe(ids[0]);
    expect(await redis.exists(`demo:id:${ids[0]}`)).toBe(0);
    expect((await b.http.get(path).expect(200)).headers['x-cache-tier']).toBe('l2');
    expect((await b.http.get(path).expect(200)).headers['x-cache-tier']).toBe('l1');
  });

  it('a write drops the id and every list variant on every instance; the namespace keys share one slot', async () => {
    const path = `/demo/items/${ids[1]}`;
    for (const api of [a, b]) {
      await api.http.get(path).expect(200);
      await api.http.get('/demo/items').expect(200);
      await api.http.get('/demo/items').query({ limit: 3 }).expect(200);
    }
    expect((await b.http.get('/demo/items').query({ limit: 3 }).expect(200)).headers['x-cache']).toBe('HIT');
    const variants = await redis.zrange('{demo}:meta:lists', 0, -1);
    expect(variants).toContain('{demo}:list');
    expect(variants.some((k) => /^\{demo\}:list:[0-9a-f]{40}$/.test(k))).toBe(true);
    const slots = new Set(await Promise.all([...variants, `{demo}:id:${ids[1]}`, '{demo}:meta:gen', '{demo}:meta:lists'].map(slotOf)));
    expect(slots.size).toBe(1);

    await a.http.patch(path).set(adminAuth).send({ name: 'changed through A' }).expect(200);
    expect(await redis.exists(`{demo}:id:${ids[1]}`, ...variants, '{demo}:meta:lists')).toBe(0);
    expect(await eventually(async () => (await b.http.get(path)).body.name === 'changed through A', 1000, 10)).toBe(true);
    const list = await b.http.get('/demo/items').query({ limit: 100 }).expect(200);
    expect(list.body.items.find((item: { _id: string }) => item._id === ids[1]).name).toBe('changed through A');
  });

  it('discards a fill that read MongoDB before a write (the race guard, single-slot)', async () => {
    const id = 'cluster-doc';
    const staleRead = (await startHeldRead(ctx, a, id)).response;
    await b.http.put(`/race/${id}`).send({ value: 'new' }).expect(200);
    gate.open();
    expect((await staleRead).body.value).toBe('old');
    expect(await redis.get(`{race}:id:${id}`)).toBeNull();
    const next = await a.http.get(`/race/${id}`).expect(200);
    expect(next.headers['x-cache']).toBe('MISS');
    expect(next.body.value).toBe('new');
    expect((await a.http.get(`/race/${id}`).expect(200)).headers['x-cache']).toBe('HIT');
    expect(JSON.parse((await redis.get(`{race}:id:${id}`))!).value).toBe('new');
  });

  it('discards a fill that read MongoDB before an admin delete of its key', async () => {
    const id = 'cluster-doc-d';
    const staleRead = (await startHeldRead(ctx, a, id)).response;
    await ctx.mongo
      .db(ctx.dbName)
      .collection('race_docs')
      .updateOne({ _id: id as never }, { $set: { value: 'new' } });
    const deleted = await a.http.delete(`/cache/entries/race:id:${id}`).set(adminAuth);
    expect([204, 404]).toContain(deleted.status);
    gate.open();
    expect((await staleRead).body.value).toBe('old');
    expect(await redis.get(`{race}:id:${id}`)).toBeNull();
    expect((await a.http.get(`/race/${id}`).expect(200)).body.value).toBe('new');
  });

  it('runs one MongoDB query for 20 concurrent misses of one key', async () => {
    const queries: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => void queries.push(`${collection}.${method}`));
    try {
      const path = `/demo/items/${ids[2]}`;
      const responses = await Promise.all(Array.from({ length: 20 }, () => a.http.get(path)));
      expect(responses.every((r) => r.status === 200 && r.body._id === ids[2])).toBe(true);
      expect(queries.filter((q) => q === 'demo_items.findOne')).toHaveLength(1);
    } finally {
      mongoose.set('debug', false);
    }
  });

  it('admin lists keys across every master by their logical names, reads entries, and clears a prefix', async () => {
    // One namespace per master at least: keys of three namespaces spread over the slots.
    for (const ns of ['alpha', 'beta', 'gamma', 'delta']) await redis.set(`{${ns}}:id:1`, '{"x":1}', 'PX', 60_000);
    const masters = new Set(await Promise.all(['alpha', 'beta', 'gamma', 'delta', 'demo'].map((ns) => cluster.masterOf(`{${ns}}`))));
    expect(masters.size).toBeGreaterThan(1);

    const seen: string[] = [];
    let cursor = '0';
    do {
      const page = await a.http.get('/cache/keys').query({ cursor, count: 2 }).set(adminAuth).expect(200);
      seen.push(...page.body.keys);
      cursor = page.body.cursor;
    } while (cursor !== '0');
    expect(seen).toEqual(
      expect.arrayContaining(['alpha:id:1', 'beta:id:1', 'gamma:id:1', 'delta:id:1', `demo:id:${ids[0]}`, 'demo:meta:gen']),
    );
    expect(seen.some((k) => k.startsWith('{'))).toBe(false);

    const entry = await a.http.get('/cache/entries/beta:id:1').set(adminAuth).expect(200);
    expect(entry.body.value).toEqual({ x: 1 });

    const cleared = await a.http.delete('/cache').query({ prefix: 'demo:' }).set(adminAuth).expect(200);
    expect(cleared.body.removed).toBeGreaterThan(0);
    expect(await redis.exists(`{demo}:id:${ids[0]}`)).toBe(0);
    expect(await redis.exists('{alpha}:id:1')).toBe(1);
    // b drops its L1 copy when the clear's message reaches it over the bus (asynchronous).
    expect(
      await eventually(async () => (await b.http.get(`/demo/items/${ids[0]}`).expect(200)).headers['x-cache'] === 'MISS', 2000, 20),
    ).toBe(true);

    await a.http.delete('/cache').set(adminAuth).expect(200);
    for (const ns of ['alpha', 'beta', 'gamma', 'delta']) expect(await redis.exists(`{${ns}}:id:1`)).toBe(0);
  });

  it('reports the Cluster up when every master answers a PING', async () => {
    const ready = await a.http.get('/health/ready').expect(200);
    expect(ready.body.redis).toBe('up');
  });

  it('follows MOVED after a slot moves under the running apps: hits stay hits, writes still invalidate', async () => {
    const path = `/demo/items/${ids[3]}`;
    await a.http.get(path).expect(200);
    expect((await a.http.get(path).expect(200)).headers['x-cache']).toBe('HIT');
    const from = await cluster.masterOf('{demo}');
    const to = (await Promise.all(['alpha', 'beta', 'gamma', 'delta', 'x', 'y', 'z'].map((ns) => cluster.masterOf(`{${ns}}`)))).find(
      (port) => port !== from,
    )!;
    await cluster.migrateSlotOf('{demo}', to);
    expect(await cluster.masterOf('{demo}')).toBe(to);

    // B has never read this key: its L1 is empty, so the hit comes from L2 through the redirect.
    const fromL2 = await b.http.get(path).expect(200);
    expect(fromL2.headers['x-cache']).toBe('HIT');
    expect(fromL2.headers['x-cache-tier']).toBe('l2');
    await b.http.patch(path).set(adminAuth).send({ name: 'after the move' }).expect(200);
    expect(await redis.exists(`{demo}:id:${ids[3]}`)).toBe(0);
    expect(await eventually(async () => (await a.http.get(path)).body.name === 'after the move', 1000, 10)).toBe(true);
    expect((await a.http.get(path).expect(200)).headers['x-cache']).toBe('HIT');
  });

  it('counts rate limits in the Cluster, shared by instances (a counter and its block key share a slot)', async () => {
    const limits = { REDIS_URL: cluster.url, CACHE_REDIS_TIMEOUT_MS: 1000, RATE_LIMIT_LOGIN_PER_IP: 1 };
    const c = await ctx.startApp(limits);
    const d = await ctx.startApp(limits);
    await c.http.post('/auth/login').send({ username: 'nobody', password: 'wrong-password' }).expect(401);
    expect((await d.http.post('/auth/login').send({ username: 'nobody', password: 'wrong-password' })).status).toBe(429);
    const names: string[] = [];
    for (const master of redis.nodes('master')) names.push(...(await master.keys('{ratelimit:*')));
    expect(names.length).toBeGreaterThan(0);
    const blocked = names.find((name) => name.endsWith(':blocked'))!;
    expect(blocked).toMatch(/^\{ratelimit:[^}]+\}:blocked$/);
    expect(await slotOf(blocked)).toBe(await slotOf(blocked.slice(0, -':blocked'.length)));
  });
});
