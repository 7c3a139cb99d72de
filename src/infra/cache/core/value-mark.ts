import { createHash } from 'node:crypto';

/**
 * The mark in front of every value this app stores in Redis: a format version and the
 * deployment's identity, checked on every read. A value without it (written by another app on
 * the same key names, or by an older format) is a miss, never served as ours.
 *
 * The mark is made of JSON's four whitespace characters (2 bits each), so a stored value stays
 * plain JSON: `redis-cli GET games:list` and any JSON parser read it as before.
 */
export const FORMAT_VERSION = 1;
export const MARK_LENGTH = 16;
const DIGITS = [0x20, 0x09, 0x0a, 0x0d];

export class ValueMark {
  readonly bytes: Buffer;

  /** `deployment`: what makes two instances one deployment (database and key prefix). */
  constructor(deployment: string, version = FORMAT_VERSION) {
    const id = createHash('sha1').update(deployment).digest();
    // 32 bits: the version in the first byte, 24 bits of the deployment's hash after it.
    const bits = Buffer.from([version & 0xff, id[0], id[1], id[2]]);
    this.bytes = Buffer.alloc(MARK_LENGTH);
    for (let i = 0; i < MARK_LENGTH; i++) this.bytes[i] = DIGITS[(bits[i >> 2] >> (6 - 2 * (i & 3))) & 3];
  }

  /** The value to store for `body`. */
  wrap(body: Buffer): Buffer {
    return Buffer.concat([this.bytes, body], MARK_LENGTH + body.length);
  }

  /** The body of a value this deployment stored (a view, no copy), or undefined for any other value. */
  unwrap(value: Buffer): Buffer | undefined {
    if (value.length < MARK_LENGTH || this.bytes.compare(value, 0, MARK_LENGTH) !== 0) return undefined;
    return value.subarray(MARK_LENGTH);
  }
}
