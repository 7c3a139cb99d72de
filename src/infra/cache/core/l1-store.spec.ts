import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { COMPRESSIONS_IN_FLIGHT_MAX, ENTRY_OVERHEAD_BYTES, L1Store, l1TtlMs } from './l1-store';
import type { Coding } from './encodings';

setFlagsFromString('--expose-gc');

describe('L1Store', () => {
  afterEach(() => jest.useRealTimers());

  it('serves an entry until its TTL, then only as a stale copy within the grace', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20, staleGraceMs: 10_000 });
    expect(l1.set('ns:id:1', { body: Buffer.from('{"a":1}'), namespace: 'ns' }, 1000, l1.generation('ns'), false)).toBe(
      l1.get('ns:id:1')?.etag,
    );
    expect(l1.get('ns:id:1')?.body.toString()).toBe('{"a":1}');
    jest.advanceTimersByTime(1500);
    expect(l1.get('ns:id:1')).toBeUndefined();
    expect(l1.getStale('ns:id:1')).toMatchObject({ namespace: 'ns', ageMs: 1500 });
    jest.advanceTimersByTime(10_000);
    expect(l1.getStale('ns:id:1')).toBeUndefined();
  });

  it('an invalidation removes stale copies too', () => {
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20, staleGraceMs: 60_000 });
    l1.set('ns:id:1', { body: Buffer.from('x'), namespace: 'ns' }, 1000, l1.generation('ns'), false);
    l1.invalidate('ns', ['ns:id:1']);
    expect(l1.getStale('ns:id:1')).toBeUndefined();
  });

  it('refuses a fill that read its generation before an invalidation', () => {
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20 });
    const before = l1.generation('ns');
    l1.invalidate('ns', []);
    expect(l1.set('ns:id:1', { body: Buffer.from('old'), namespace: 'ns' }, 1000, before, false)).toBeUndefined();
    expect(l1.get('ns:id:1')).toBeUndefined();
  });
});

describe('L1Store bytes', () => {
  const set = (l1: L1Store, key: string, body: Buffer) => l1.set(key, { body, namespace: 'ns' }, 60_000, l1.generation('ns'), false);

  it('keeps its own copy of what it is given, and hands out copies a later write cannot change', () => {
    const l1 = new L1Store({ maxEntries: 1000, maxBytes: 64 * 1024 });
    const given = Buffer.from('{"first":true}');
    set(l1, 'ns:id:first', given);
    given.fill(0); // the caller reuses its buffer
    const read = l1.get('ns:id:first')!.body;
    expect(read.toString()).toBe('{"first":true}');
    // Enough writes to reclaim every segment twice: the bytes the read copied were overwritten in place.
    for (let i = 0; i < 400; i++) set(l1, `ns:id:${i}`, Buffer.alloc(300, i % 256));
    expect(l1.get('ns:id:first')).toBeUndefined();
    expect(read.toString()).toBe('{"first":true}');
  });

  it('counts each entry as its bytes, key, tag and bookkeeping, and holds no more than its bound', () => {
    const l1 = new L1Store({ maxEntries: 100_000, maxBytes: 256 * 1024 });
    set(l1, 'ns:id:a', Buffer.alloc(1000, 'a'));
    expect(l1.bytes).toBe(1000 + 'ns:id:a'.length + l1.get('ns:id:a')!.etag.length + ENTRY_OVERHEAD_BYTES);
    for (let i = 0; i < 5000; i++) {
      set(l1, `ns:id:${i}`, Buffer.alloc(200 + ((i * 7919) % 3000), 'x'));
      expect(l1.heldBytes).toBeLessThanOrEqual(256 * 1024);
      expect(l1.bytes).toBeLessThanOrEqual(l1.heldBytes);
    }
    expect(l1.evictions).toBeGreaterThan(0);
  });

  it('reclaims the oldest entries first, but keeps what was read while it aged', () => {
    const l1 = new L1Store({ maxEntries: 100_000, maxBytes: 64 * 1024, segmentBytes: 4096 });
    for (let i = 0; i < 20; i++) set(l1, `ns:id:${i}`, Buffer.alloc(500, 'x'));
    for (let i = 20; i < 400; i++) {
      set(l1, `ns:id:${i}`, Buffer.alloc(500, 'x'));
      expect(l1.get('ns:id:0')?.body.length).toBe(500); // read all along: moved forward as it ages
    }
    expect(l1.get('ns:id:1')).toBeUndefined(); // never read again: gone with its segment
    expect(l1.get('ns:id:399')).toBeDefined();
  });

  it('moves nothing while it is below its bound: reads cost no space', () => {
    const l1 = new L1Store({ maxEntries: 100_000, maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 0; i < 40; i++) set(l1, `ns:id:${i}`, Buffer.alloc(500, 'x'));
    const held = l1.heldBytes;
    for (let pass = 0; pass < 3; pass++) for (let i = 0; i < 40; i++) l1.get(`ns:id:${i}`);
    expect(l1.heldBytes).toBe(held);
  });

  it('evicts the least recently read entry when the entry count runs out', () => {
    const l1 = new L1Store({ maxEntries: 3, maxBytes: 1 << 20 });
    for (const k of ['a', 'b', 'c']) set(l1, `ns:id:${k}`, Buffer.from(k));
    l1.get('ns:id:a');
    set(l1, 'ns:id:d', Buffer.from('d'));
    expect(l1.keys().sort()).toEqual(['ns:id:a', 'ns:id:c', 'ns:id:d']);
  });

  it('stores a body larger than a segment on its own, and refuses one larger than the bound', () => {
    const l1 = new L1Store({ maxEntries: 100, maxBytes: 128 * 1024, segmentBytes: 8192 });
    expect(set(l1, 'ns:id:big', Buffer.alloc(40_000, 'b'))).toBeDefined();
    expect(l1.get('ns:id:big')!.body.equals(Buffer.alloc(40_000, 'b'))).toBe(true);
    expect(set(l1, 'ns:id:huge', Buffer.alloc(128 * 1024, 'h'))).toBeUndefined();
    expect(l1.get('ns:id:huge')).toBeUndefined();
    expect(l1.heldBytes).toBeLessThanOrEqual(128 * 1024);
  });

  it('an invalidation or a clear frees what the entries counted', () => {
    const l1 = new L1Store({ maxEntries: 100, maxBytes: 1 << 20 });
    set(l1, 'ns:id:1', Buffer.alloc(100));
    l1.set('ns:list:all', { body: Buffer.alloc(100), namespace: 'ns' }, 60_000, l1.generation('ns'), true);
    l1.invalidate('ns', ['ns:id:1']);
    expect([l1.size, l1.bytes]).toEqual([0, 0]);
    set(l1, 'ns:id:2', Buffer.alloc(100));
    expect(l1.clear()).toBe(1);
    expect([l1.size, l1.bytes]).toEqual([0, 0]);
  });
});

describe('l1TtlMs', () => {
  it('never outlives the Redis copy, keeps L1 its own TTL for a key without expiry, and refuses a key already gone', () => {
    expect(l1TtlMs(1500, 300)).toBe(1500);
    expect(l1TtlMs(900_000, 300)).toBe(300_000);
    expect(l1TtlMs(-1, 300)).toBe(300_000);
    // PTTL -2: the key expired between the GET and the PTTL; with L1's TTL it would be served for 300 s.
    expect(l1TtlMs(-2, 300)).toBeUndefined();
    expect(l1TtlMs(0, 300)).toBeUndefined();
  });
});

describe('L1Store compression', () => {
  const body = (i: number) => Buffer.from(`{"item":${i},"text":"${'x'.repeat(2000)}"}`);
  const pendingCompressor = () => {
    const jobs: { body: Buffer; coding: Coding; done: (form: Buffer) => void }[] = [];
    const compress = (input: Buffer, coding: Coding) => new Promise<Buffer | undefined>((done) => jobs.push({ body: input, coding, done }));
    return { jobs, compress };
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it(`never has more than ${COMPRESSIONS_IN_FLIGHT_MAX} compressions in flight, however many entries are read`, () => {
    const { jobs, compress } = pendingCompressor();
    const l1 = new L1Store({ maxEntries: 1000, maxBytes: 1 << 24, compressMinBytes: 1024, compress });
    for (let i = 0; i < 500; i++) l1.set(`ns:id:${i}`, { body: body(i), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    expect(jobs).toHaveLength(0); // stored, never read: nothing to compress
    for (let i = 0; i < 500; i++) l1.get(`ns:id:${i}`, 'br');
    expect(jobs).toHaveLength(COMPRESSIONS_IN_FLIGHT_MAX);
  });

  it('computes only the form a reader asks for, once, or on a later read when the slots were busy', async () => {
    const { jobs, compress } = pendingCompressor();
    const l1 = new L1Store({ maxEntries: 1000, maxBytes: 1 << 24, compressMinBytes: 1024, compress });
    for (let i = 0; i < 5; i++) l1.set(`ns:id:${i}`, { body: body(i), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    l1.get('ns:id:0'); // identity reader: nothing to compute
    expect(jobs).toHaveLength(0);
    for (let i = 0; i < 5; i++) expect(l1.get(`ns:id:${i}`, 'gzip')?.gzip).toBeUndefined();
    expect(jobs.map((job) => job.coding)).toEqual(['gzip', 'gzip']);
    for (const job of jobs.splice(0)) job.done(Buffer.from('gz'));
    await settle();
    expect(l1.get('ns:id:0', 'gzip')).toMatchObject({ gzip: Buffer.from('gz'), br: undefined });
    expect(jobs).toHaveLength(0);
    expect(l1.get('ns:id:4', 'gzip')?.gzip).toBeUndefined(); // asked again with a slot free: its compression starts
    expect(jobs.map((job) => job.body.toString())).toEqual([body(4).toString()]);
    l1.get('ns:id:4', 'gzip');
    expect(jobs).toHaveLength(1);
    jobs[0].done(Buffer.from('gz4'));
    await settle();
    expect(l1.get('ns:id:4', 'gzip')?.gzip?.toString()).toBe('gz4');
    l1.get('ns:id:4', 'br'); // a br reader now: its form starts
    expect(jobs.map((job) => job.coding)).toEqual(['gzip', 'br']);
  });

  it('hands a reader the body and the form its client takes, not the other one', async () => {
    const { jobs, compress } = pendingCompressor();
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20, compressMinBytes: 1024, compress });
    l1.set('ns:id:1', { body: body(1), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    l1.get('ns:id:1', 'br');
    l1.get('ns:id:1', 'gzip');
    for (const job of jobs.splice(0)) job.done(Buffer.from(job.coding));
    await settle();
    expect(l1.get('ns:id:1', 'br')).toMatchObject({ br: Buffer.from('br'), gzip: undefined });
    expect(l1.get('ns:id:1', 'gzip')).toMatchObject({ br: undefined, gzip: Buffer.from('gzip') });
    expect(l1.get('ns:id:1')).toMatchObject({ br: Buffer.from('br'), gzip: Buffer.from('gzip') });
  });

  it('drops a form computed for an entry that was replaced meanwhile (its record is reused)', async () => {
    const { jobs, compress } = pendingCompressor();
    const l1 = new L1Store({ maxEntries: 1000, maxBytes: 1 << 24, compressMinBytes: 1024, compress });
    l1.set('ns:id:1', { body: body(1), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    const old = l1.get('ns:id:1', 'br')!;
    l1.set('ns:id:1', { body: body(2), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    old.refreshStarted = true; // a mark on the replaced entry does not reach the new one
    jobs[0].done(Buffer.from('br of the old body'));
    await settle();
    expect(l1.get('ns:id:1')).toMatchObject({ br: undefined, refreshStarted: false });
    expect(l1.get('ns:id:1')!.body.equals(body(2))).toBe(true);
  });

  it('leaves bodies under the threshold alone', () => {
    const { jobs, compress } = pendingCompressor();
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20, compressMinBytes: 1024, compress });
    l1.set('ns:id:small', { body: Buffer.from('{"a":1}'), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    l1.get('ns:id:small', 'br');
    expect(jobs).toHaveLength(0);
  });
});

describe('L1Store retained memory', () => {
  const gc = runInNewContext('gc') as () => void;
  /** Live heap and buffers: V8 frees dead buffers' memory after a collection, on a task of its own. */
  const live = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.external;
  };

  /** zlib hands back views into its 64 KiB output buffers: forms shaped like that. */
  const zlibLikeForm = async (body: Buffer, coding: Coding): Promise<Buffer> =>
    Buffer.alloc(64 * 1024, 7).subarray(0, Math.ceil(body.length / (coding === 'br' ? 5 : 4)));

  it.each([1_100, 4_096, 16_500])(
    'costs the process what it counts, bodies and both compressed forms included (%d-byte bodies, churning)',
    async (size) => {
      const fill = async (maxBytes: number) => {
        const l1 = new L1Store({ maxEntries: 1_000_000, maxBytes, compressMinBytes: 1, compress: zlibLikeForm });
        // Twice what fits, each read once more (for its forms): full, and churned through once.
        const count = Math.ceil((2 * maxBytes) / (size * 1.45));
        for (let i = 0; i < count; i++) {
          const key = `games:list:${i.toString(16).padStart(40, '0')}`;
          l1.set(key, { body: Buffer.alloc(size, i % 251), namespace: 'games' }, 60_000, l1.generation('games'), true);
          await new Promise((resolve) => setImmediate(resolve));
          l1.get(key, 'br');
          l1.get(key, 'gzip');
          await new Promise((resolve) => setImmediate(resolve));
        }
        return { l1 };
      };
      await fill(1024 * 1024); // compiled and optimized before the measured run
      const held: { l1?: L1Store } = await fill(16 * 1024 * 1024);
      const figures = (l1: L1Store) => {
        expect(l1.evictions).toBeGreaterThan(0);
        expect(l1.get(l1.keys().at(-1)!)).toMatchObject({ br: expect.any(Buffer), gzip: expect.any(Buffer) });
        return { bytes: l1.bytes, heldBytes: l1.heldBytes };
      };
      const { bytes, heldBytes } = figures(held.l1!);
      // What the process gives back when the tier goes: other suites' garbage in this worker moves
      // a before/after difference, not this one.
      const withL1 = await live();
      delete held.l1;
      const cost = withL1 - (await live());
      expect(heldBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
      expect(cost / bytes).toBeLessThanOrEqual(1.1);
      expect(cost / bytes).toBeGreaterThanOrEqual(0.9); // the bookkeeping is not overcounted either
    },
  );
});
