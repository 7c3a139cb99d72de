import { fromCents, isMoney, toCents } from './money';

describe('money in cents', () => {
  it('converts decimals to exact integer cents and back', () => {
    expect(toCents(29.99)).toBe(2999);
    expect(toCents(0.1) + toCents(0.2)).toBe(30);
    expect(fromCents(toCents(0.1) * 3)).toBe(0.3);
    expect(toCents(1_234_567.89)).toBe(123_456_789);
  });

  it('accepts amounts with at most two decimals, ≥ 0', () => {
    for (const ok of [0, 0.1, 29.99, 26.95, 100, 9_999_999.99]) expect(isMoney(ok)).toBe(true);
    for (const bad of [-0.01, 1.999, 0.001, NaN, Infinity, '29.99', null, 10_000_000.01]) expect(isMoney(bad)).toBe(false);
  });
});
