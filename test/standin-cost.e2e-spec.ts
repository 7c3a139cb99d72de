/**
 * What the MongoDB server the tests and benches run against (the stand-in unless MONGODB_URI is
 * given) costs for the two reads results day leans on, as MongoDB does it:
 *  - an idle change stream waits on the server for its next event (awaitData) instead of being
 *    answered at once and polled in a loop, and reads its oplog from its position on (the stand-in,
 *    mongo-java-server 1.47, scanned its whole oplog on every poll: with a million seeded documents
 *    and two app instances' streams, it served every other command ~10x slower);
 *  - a read by _id with other fields beside it (`{_id, edition: {$in: [...]}}`) is answered from the
 *    _id index (the stand-in scanned every document, under the collection's lock).
 * See tools/mongo-standin/Launcher.java.
 */
import { MongoClient } from 'mongodb';
import { createTestContext, eventually, TestContext } from './harness/test-app';

describe('MongoDB server costs results day relies on', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext('standin-cost');
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('holds an idle change stream getMore until an event (awaitData), and delivers the event at once', async () => {
    const client = await MongoClient.connect(ctx.env.MONGODB_URI!, { monitorCommands: true });
    try {
      const collection = client.db(ctx.dbName).collection<{ _id: string; n: number }>('cost_watched');
      let getMores = 0;
      client.on('commandStarted', (e) => {
        if (e.commandName === 'getMore') getMores++;
      });
      const seen: { id: string; at: number }[] = [];
      const stream = collection.watch([]);
      stream.on('change', (event) => {
        if (event.operationType === 'insert') seen.push({ id: event.documentKey._id, at: Date.now() });
      });
      // Following once a probe's insert is seen (a fixed pause loses events on a busy machine).
      for (let i = 0; !seen.length; i++) {
        await collection.insertOne({ _id: `probe-${i}`, n: i });
        await eventually(() => seen.length > 0 || undefined, 500, 20).catch(() => undefined);
        if (i > 20) throw new Error('the change stream delivered nothing');
      }
      const before = getMores;
      await new Promise((r) => setTimeout(r, 2000));
      const idle = getMores - before;
      // Writes to another collection wake the stream at most once each (not: look new forever).
      const other = client.db(ctx.dbName).collection<{ n: number }>('cost_elsewhere');
      const beforeElsewhere = getMores;
      for (let i = 0; i < 10; i++) {
        await other.insertOne({ n: i });
        await new Promise((r) => setTimeout(r, 200));
      }
      const duringElsewhere = getMores - beforeElsewhere;
      const sentAt = Date.now();
      await collection.insertOne({ _id: 'after-idle', n: -1 });
      const event = await eventually(() => seen.find((s) => s.id === 'after-idle'), 5000);
      await stream.close();
      // MongoDB holds an idle getMore up to 1 s: about 2 in 2 s. Answered at once, the driver polled hundreds.
      expect(idle).toBeLessThanOrEqual(6);
      expect(duringElsewhere).toBeLessThanOrEqual(30);
      expect(event!.at - sentAt).toBeLessThan(500);
    } finally {
      await client.close();
    }
  });

  it('answers {_id, other fields} from the _id index: as fast as {_id} alone, and the other fields still filter', async () => {
    const collection = ctx.mongo.db(ctx.dbName).collection<{ _id: string; edition: string; n: number }>('cost_students');
    const count = 60_000;
    for (let i = 0; i < count; i += 5000) {
      await collection.insertMany(
        Array.from({ length: 5000 }, (_, k) => ({ _id: String(2_600_000_000 + i + k), edition: (i + k) % 2 ? 'odd' : 'even', n: i + k })),
      );
    }
    const ids = Array.from({ length: 100 }, (_, k) => String(2_600_000_000 + ((k * 7919) % count)));
    const timed = async (filter: (id: string) => object) => {
      const started = performance.now();
      const found = [];
      for (const id of ids) found.push(await collection.findOne(filter(id)));
      return { ms: performance.now() - started, found };
    };
    const plain = await timed((id) => ({ _id: id }));
    const withEdition = await timed((id) => ({ _id: id, edition: { $in: ['even', 'odd'] } }));
    const excluded = await timed((id) => ({ _id: id, edition: { $in: ['none'] } }));
    expect(withEdition.found.map((d) => d?._id)).toEqual(ids);
    expect(excluded.found.every((d) => d === null)).toBe(true);
    const evenOnly = await collection.findOne({ _id: ids[1], edition: 'even' });
    expect(evenOnly?._id ?? null).toBe(Number(ids[1]) % 2 ? null : ids[1]);
    // A scan of 60,000 documents per read made these 100 reads ~15x slower than {_id} alone (675 ms against 45).
    expect(withEdition.ms).toBeLessThan(plain.ms * 3 + 150);
    expect(excluded.ms).toBeLessThan(plain.ms * 3 + 150);
  }, 60_000);
});
