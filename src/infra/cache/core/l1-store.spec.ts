import { L1Store, l1TtlMs } from './l1-store';

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
