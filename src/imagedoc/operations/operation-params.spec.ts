import { BadRequestException } from '@nestjs/common';
import { canonicalParams, validateParams } from './operation-params';

describe('operation parameters', () => {
  it('applies defaults and sorts keys, so equivalent requests share one canonical form', () => {
    const a = canonicalParams(validateParams('resize', { width: 300 }));
    const b = canonicalParams(validateParams('resize', { fit: 'inside', width: 300 }));
    const c = canonicalParams(validateParams('resize', { width: 301 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(canonicalParams(validateParams('translate', { target: 'pt' }))).toBe(
      canonicalParams(validateParams('translate', { source: 'auto', target: 'pt' })),
    );
    expect(canonicalParams(validateParams('grayscale', undefined))).toBe('{}');
  });

  it.each([
    ['resize', { width: 0 }],
    ['resize', { height: 10_001 }],
    ['resize', {}],
    ['rotate', { angle: -361 }],
    ['rotate', { angle: 'NaN' }],
    ['crop', { left: 0, top: 0, width: 0, height: 1 }],
    ['convert', { format: 'tiff' }],
    ['convert', { format: 'jpeg', quality: 0 }],
    ['grayscale', { unknown: true }],
    ['extract_text', { $where: '1' }],
    ['translate', { target: 'pt', source: 'en; rm -rf' }],
  ] as const)('%s %j → 400', (type, params) => {
    expect(() => validateParams(type, params as Record<string, unknown>)).toThrow(BadRequestException);
  });

  it('converts numeric strings (form-style input) to numbers before range checks', () => {
    expect(validateParams('rotate', { angle: '90' })).toEqual({ angle: 90 });
  });
});
