import { preferredCoding } from './accept-encoding';

describe('preferredCoding', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0, gzip;q=0', undefined],
    ['identity', undefined],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['*, br;q=0', 'gzip'],
    ['identity;q=1, br;q=0.5', undefined],
    ['identity;q=0.1, br;q=0.5', 'br'],
    ['x-gzip', 'gzip'],
    ['BR', 'br'],
    ['br;q=abc, gzip', 'gzip'],
    ['deflate', undefined],
  ])('%p → %p', (header, expected) => {
    expect(preferredCoding(header)).toBe(expected);
  });
});
