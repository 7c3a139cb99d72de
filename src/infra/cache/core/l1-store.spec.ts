import { COMPRESSIONS_IN_FLIGHT_MAX, L1Store, l1TtlMs } from './l1-store';
import type { EncodedForms } from './encodings';

describe('L1Store', () => {
  afterEach(() => jest.useRealTimers());

  it('serves an entry until its TTL, then only as a stale copy within the grace', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20, staleGraceMs: 10_000 });
    expect(l1.set('ns:id:1', { body: Buffer.from('{"a":1}'), namespace: 'ns' }, 1000, l1.generation('ns'), false)).toBe(true);
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
    expect(l1.set('ns:id:1', { body: Buffer.from('old'), namespace: 'ns' }, 1000, before, false)).toBe(false);
    expect(l1.get('ns:id:1')).toBeUndefined();
  });
});

describe('L1Store memory', () => {
  it('stores exact-size copies, never views on a shared pool slab', () => {
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20 });
    const pooled = Buffer.from('{"small":"body from the shared pool"}');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length); // the premise: a view on a slab
    l1.set('ns:id:1', { body: pooled, namespace: 'ns' }, 1000, l1.generation('ns'), false);
    const stored = l1.get('ns:id:1')!.body;
    expect(stored.buffer.byteLength).toBe(stored.length);
    expect(stored.byteOffset).toBe(0);
    expect(stored.equals(pooled)).toBe(true);
  });

  it('stores exact-size copies of a slice of a larger reply buffer', () => {
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20 });
    const reply = Buffer.alloc(64 * 1024, 'x');
    l1.set('ns:id:2', { body: reply.subarray(100, 1100), namespace: 'ns' }, 1000, l1.generation('ns'), false);
    const stored = l1.get('ns:id:2')!.body;
    expect(stored.length).toBe(1000);
    expect(stored.buffer.byteLength).toBe(1000);
    expect(l1.bytes).toBe(1000 + 'ns:id:2'.length + l1.get('ns:id:2')!.etag.length);
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
    const jobs: { body: Buffer; done: (forms: EncodedForms) => void }[] = [];
    const compress = (input: Buffer) => new Promise<EncodedForms>((done) => jobs.push({ body: input, done }));
    return { jobs, compress };
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it(`never has more than ${COMPRESSIONS_IN_FLIGHT_MAX} compressions in flight, however many entries arrive`, () => {
    const { jobs, compress } = pendingCompressor();
    const l1 = new L1Store({ maxEntries: 1000, maxBytes: 1 << 24, compressMinBytes: 1024, compress });
    for (let i = 0; i < 500; i++) l1.set(`ns:id:${i}`, { body: body(i), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    expect(jobs).toHaveLength(COMPRESSIONS_IN_FLIGHT_MAX);
  });

  it('compresses an entry stored while the slots were busy when it is read again, once', async () => {
    const { jobs, compress } = pendingCompressor();
    const l1 = new L1Store({ maxEntries: 1000, maxBytes: 1 << 24, compressMinBytes: 1024, compress });
    for (let i = 0; i < 5; i++) l1.set(`ns:id:${i}`, { body: body(i), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    for (const job of jobs.splice(0)) job.done({ br: Buffer.from('br') });
    await settle();
    expect(l1.get('ns:id:0')?.br?.toString()).toBe('br');
    expect(l1.get('ns:id:4')?.br).toBeUndefined(); // read now: its compression starts
    expect(jobs.map((job) => job.body.toString())).toEqual([body(4).toString()]);
    l1.get('ns:id:4');
    expect(jobs).toHaveLength(1);
    jobs[0].done({ br: Buffer.from('br4') });
    await settle();
    expect(l1.get('ns:id:4')?.br?.toString()).toBe('br4');
  });

  it('leaves bodies under the threshold alone', () => {
    const { jobs, compress } = pendingCompressor();
    const l1 = new L1Store({ maxEntries: 10, maxBytes: 1 << 20, compressMinBytes: 1024, compress });
    l1.set('ns:id:small', { body: Buffer.from('{"a":1}'), namespace: 'ns' }, 60_000, l1.generation('ns'), false);
    l1.get('ns:id:small');
    expect(jobs).toHaveLength(0);
  });
});

describe('L1Store retained memory', () => {
  /** Bytes of the distinct ArrayBuffers the entries' buffers keep alive. */
  function retainedBytes(l1: L1Store): number {
    const buffers = new Set<ArrayBufferLike>();
    for (const key of l1.keys()) {
      const entry = l1.get(key)!;
      for (const part of [entry.body, entry.br, entry.gzip]) if (part) buffers.add(part.buffer);
    }
    return [...buffers].reduce((sum, buffer) => sum + buffer.byteLength, 0);
  }

  /** A JSON list body of about `size` bytes that compresses (both forms are kept). */
  function listBody(size: number, seed: number): Buffer {
    const items: unknown[] = [];
    for (let i = 0; JSON.stringify(items).length < size; i++) items.push({ _id: `${seed}-${i}`, name: `Game ${seed} ${i}`, price: 59.9 });
    return Buffer.from(JSON.stringify(items));
  }

  it.each([1_100, 4_096, 16_500])('keeps bodies and both compressed forms at their own size (%d-byte entries)', async (size) => {
    const l1 = new L1Store({ maxEntries: 1000, maxBytes: 1 << 30, compressMinBytes: 1 });
    const count = 40;
    for (let i = 0; i < count; i++) {
      const key = `ns:list:${i}`;
      l1.set(key, { body: listBody(size, i), namespace: 'ns' }, 60_000, l1.generation('ns'), true);
      l1.get(key); // a read asks for the forms when the two compression slots were busy at store time
      for (let waited = 0; !(l1.get(key)!.br && l1.get(key)!.gzip) && waited < 5000; waited += 5)
        await new Promise((r) => setTimeout(r, 5));
      expect(l1.get(key)).toMatchObject({ br: expect.any(Buffer), gzip: expect.any(Buffer) });
    }
    // Counted: body, forms, key and tag. Retained: whole ArrayBuffers, the forms' included.
    expect(retainedBytes(l1) / l1.bytes).toBeLessThanOrEqual(1.1);
  });
});
