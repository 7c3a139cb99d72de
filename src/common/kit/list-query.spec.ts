import { containsText, escapeRegex, range, sortSpec } from './list-query';

describe('list query helpers', () => {
  it('escapes regex syntax so user text matches literally', () => {
    const pattern = new RegExp(escapeRegex('a.b*(c)[d]$^|+?{1}\\'), 'i');
    expect(pattern.test('A.B*(C)[D]$^|+?{1}\\')).toBe(true);
    expect(pattern.test('axb')).toBe(false);
    expect(containsText('.*')).toEqual({ $regex: '\\.\\*', $options: 'i' });
  });

  it('builds a stable sort with _id as the tie-breaker, mapping API names to stored ones', () => {
    expect(sortSpec(undefined)).toEqual({ _id: 1 });
    expect(sortSpec('-price', { price: 'price_cents' })).toEqual({ price_cents: -1, _id: 1 });
    expect(sortSpec('year')).toEqual({ year: 1, _id: 1 });
  });

  it('builds ranges from the bounds given', () => {
    expect(range(undefined, undefined)).toBeUndefined();
    expect(range(0, undefined)).toEqual({ $gte: 0 });
    expect(range(undefined, 5)).toEqual({ $lte: 5 });
    expect(range(1, 5)).toEqual({ $gte: 1, $lte: 5 });
  });
});
