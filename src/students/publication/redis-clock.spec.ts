import { DRIFT_RATE, RedisClock } from './redis-clock';

describe('RedisClock', () => {
  it('bounds Redis time by the round trip, however it splits between the two directions', () => {
    const clock = new RedisClock();
    // Asked at 1,000, answered at 1,100 (monotonic ms): Redis read 50,000 somewhere in between.
    clock.observe({ redisMs: 50_000, sentAt: 1_000, receivedAt: 1_100 });
    const { earliest, latest } = clock.bounds(1_100)!;
    // Had Redis read it just after the ask (a slow way back) it is now 50,100; just before the answer, 50,000.
    expect(earliest).toBeLessThanOrEqual(50_000);
    expect(latest).toBeGreaterThanOrEqual(50_100);
    expect(latest - earliest).toBeLessThan(100 + 3);
  });

  it('widens with time by the rate two clocks may drift apart', () => {
    const clock = new RedisClock();
    clock.observe({ redisMs: 0, sentAt: 0, receivedAt: 0 });
    const later = clock.bounds(10_000)!;
    expect(later.earliest).toBeLessThanOrEqual(10_000 * (1 - DRIFT_RATE));
    expect(later.latest).toBeGreaterThanOrEqual(10_000 * (1 + DRIFT_RATE));
  });

  it('keeps the tightest of its readings', () => {
    const clock = new RedisClock();
    clock.observe({ redisMs: 5_000, sentAt: 0, receivedAt: 400 });
    clock.observe({ redisMs: 5_450, sentAt: 440, receivedAt: 450 });
    const { earliest, latest } = clock.bounds(450)!;
    expect(latest - earliest).toBeLessThan(15);
  });

  it('starts afresh when Redis contradicts what it said (its clock stepped, or another server answers)', () => {
    const clock = new RedisClock();
    clock.observe({ redisMs: 5_000, sentAt: 0, receivedAt: 10 });
    clock.observe({ redisMs: 900_000, sentAt: 20, receivedAt: 30 });
    const { earliest, latest } = clock.bounds(30)!;
    expect(earliest).toBeGreaterThan(899_000);
    expect(latest).toBeLessThan(900_100);
  });

  it('knows nothing before its first reading', () => {
    expect(new RedisClock().bounds(0)).toBeUndefined();
  });
});
