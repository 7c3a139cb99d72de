import { MARK_LENGTH, ValueMark } from './value-mark';

describe('ValueMark', () => {
  const mark = new ValueMark('cachebook\0');

  it('wraps a body so that it is still the same JSON', () => {
    const body = Buffer.from('[{"_id":"1","name":"Portal"}]');
    const stored = mark.wrap(body);
    expect(stored.length).toBe(body.length + MARK_LENGTH);
    expect(JSON.parse(stored.toString())).toEqual(JSON.parse(body.toString()));
    expect(mark.unwrap(stored)?.equals(body)).toBe(true);
  });

  it('refuses values it did not wrap: bare JSON, another deployment, another format version', () => {
    const body = Buffer.from('{"a":1}');
    expect(mark.unwrap(body)).toBeUndefined();
    expect(mark.unwrap(Buffer.from(`                ${body}`))).toBeUndefined();
    expect(mark.unwrap(new ValueMark('otherdb\0').wrap(body))).toBeUndefined();
    expect(mark.unwrap(new ValueMark('cachebook\0', 2).wrap(body))).toBeUndefined();
    expect(mark.unwrap(Buffer.alloc(0))).toBeUndefined();
  });
});
