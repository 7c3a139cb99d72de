import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('opens after `threshold` consecutive failures and refuses calls for the cooldown', () => {
    const breaker = new CircuitBreaker(3, 1000);
    expect([breaker.failure(), breaker.failure()]).toEqual([false, false]);
    expect(breaker.allow()).toBe(true);
    expect(breaker.failure()).toBe(true); // this one opened it
    expect(breaker.isOpen).toBe(true);
    expect(breaker.allow()).toBe(false);
    jest.advanceTimersByTime(999);
    expect(breaker.allow()).toBe(false);
  });

  it('a success in between resets the count', () => {
    const breaker = new CircuitBreaker(3, 1000);
    breaker.failure();
    breaker.failure();
    expect(breaker.success()).toBe(false); // it was not open
    breaker.failure();
    breaker.failure();
    expect(breaker.isOpen).toBe(false);
  });

  it('after the cooldown lets exactly one trial through; its success closes, its failure re-opens', () => {
    const breaker = new CircuitBreaker(2, 1000);
    breaker.failure();
    breaker.failure();
    jest.advanceTimersByTime(1000);
    expect(breaker.allow()).toBe(true); // the trial
    expect(breaker.allow()).toBe(false); // nobody else while it runs
    breaker.failure();
    expect(breaker.isOpen).toBe(true);
    expect(breaker.allow()).toBe(false);
    jest.advanceTimersByTime(1000);
    expect(breaker.allow()).toBe(true);
    expect(breaker.success()).toBe(true); // closed an open breaker
    expect(breaker.isOpen).toBe(false);
    expect(breaker.allow()).toBe(true);
  });
});
