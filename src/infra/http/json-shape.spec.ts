import { jsonShapeViolation, type JsonShapeLimits } from './json-shape';

const limits: JsonShapeLimits = { maxDepth: 32, maxKeysPerObject: 3, maxArrayLength: 4, maxValues: 10, maxStringLength: 5 };
const check = (text: string, overrides: Partial<JsonShapeLimits> = {}) => jsonShapeViolation(text, { ...limits, ...overrides });

describe('jsonShapeViolation', () => {
  it('accepts what is within every limit, brackets and commas inside strings not counted', () => {
    expect(check('{"a":[1,2,3,4],"b":{"c":"[[,,"},"d":null}')).toBeUndefined();
    expect(check('{"a":"\\"[[[["}')).toBeUndefined();
    expect(check('[ ]')).toBeUndefined();
    expect(check('{ }')).toBeUndefined();
    expect(check('42')).toBeUndefined();
  });

  it('refuses nesting past the limit with 400, as soon as it is passed', () => {
    expect(check('['.repeat(5000), { maxDepth: 32, maxValues: 1e6 })).toEqual({
      statusCode: 400,
      message: expect.stringMatching(/nested more than 32/),
    });
    expect(check('{"a":[1,{"b":2}]}', { maxDepth: 2 })?.statusCode).toBe(400);
    expect(check('{"a":[1,{"b":2}]}', { maxDepth: 3 })).toBeUndefined();
  });

  it('counts the keys of each object, nested ones included', () => {
    expect(check('{"a":1,"b":2,"c":3}')).toBeUndefined();
    expect(check('{"a":1,"b":2,"c":3,"d":4}')?.message).toMatch(/an object with more than 3 keys/);
    expect(check('{"f":{"a":1,"b":2,"c":3,"d":4}}')?.statusCode).toBe(413);
  });

  it('counts the elements of each array', () => {
    expect(check('[1,2,3,4]')).toBeUndefined();
    expect(check('[1,2,3,4,5]')?.message).toMatch(/an array with more than 4 elements/);
    expect(check('{"a":[[1],[1,2,3,4,5]]}')?.statusCode).toBe(413);
  });

  it('counts keys and elements over the whole text', () => {
    expect(check('[[1,2,3],[1,2,3],[1]]')).toBeUndefined(); // 3 outer + 7 inner
    expect(check('[[1,2,3],[1,2,3],[1,2]]')?.message).toMatch(/more than 10 keys and array elements/);
  });

  it('measures strings, keys included, an escape sequence as one character', () => {
    expect(check('["abcde","\\u0041\\u0042\\n\\"e"]')).toBeUndefined();
    expect(check('["abcdef"]')?.message).toMatch(/a string longer than 5 characters \(at character 1\)/);
    expect(check('{"abcdef":1}')?.statusCode).toBe(413);
  });

  it('takes time linear in the text for an object of many keys', () => {
    const huge = `{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":1`).join(',')}}`;
    const started = process.hrtime.bigint();
    for (let i = 0; i < 5; i++) expect(check(huge, { maxKeysPerObject: 1e9, maxValues: 1e9, maxStringLength: 100 })).toBeUndefined();
    const perRunMs = Number(process.hrtime.bigint() - started) / 1e6 / 5;
    // A few ms for 2.2 MB; generous for a loaded machine, far below the seconds a superlinear pass takes.
    expect(perRunMs).toBeLessThan(250);
  });
});
