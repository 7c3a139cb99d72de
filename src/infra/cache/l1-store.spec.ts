import { L1Store } from './l1-store';

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
