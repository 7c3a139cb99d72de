import { nestingDepth } from './json-body';

describe('nestingDepth', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(nestingDepth('{"a":[1,{"b":2}]}', 100)).toBe(3);
    expect(nestingDepth('{"a":"[[[[{{{{"}', 100)).toBe(1);
    expect(nestingDepth('{"a":"\\"[[[["}', 100)).toBe(1);
    expect(nestingDepth('42', 100)).toBe(0);
  });

  it('stops as soon as the limit is passed', () => {
    expect(nestingDepth('['.repeat(5000), 32)).toBe(33);
  });
});
