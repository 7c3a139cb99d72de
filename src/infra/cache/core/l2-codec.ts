/**
 * How a namespace's entries are kept in Redis when not as the answer's bytes: a smaller form, to
 * hold more entries per byte of Redis (a warm-up of millions). `decode(encode(body))` must give
 * back exactly `body`; the tiers above Redis (L1, HTTP) only ever see the body.
 */
export interface L2Codec {
  /** The stored form, or undefined to store the body as it is (a body the codec does not know). */
  encode(body: Buffer): Buffer | undefined;
  /** The body of a stored form; undefined when `stored` is not one (it is then the body itself). */
  decode(stored: Buffer): Buffer | undefined;
}
