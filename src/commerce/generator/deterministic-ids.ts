import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

export const ID_KIND = { customer: 1, customerRef: 2, product: 3, cart: 4, order: 5 } as const;
export type IdKind = keyof typeof ID_KIND;

/** 2023-11-14T22:13:20Z: generated ids carry this "timestamp" plus their chunk, well before any live ObjectId. */
const BASE_SECONDS = 1_700_000_000;

/**
 * ObjectIds derived from (seed, kind, chunk, index), so the same seed gives the same ids in any
 * worker layout and the generator never has to ask MongoDB what it inserted:
 * [4 bytes: BASE + chunk][4 bytes: seed hash][1 byte: kind][3 bytes: index within the chunk].
 */
export class DeterministicIds {
  private readonly seedTag: Buffer;

  constructor(seed: number) {
    this.seedTag = createHash('sha1').update(`commerce:${seed}`).digest().subarray(0, 4);
  }

  id(kind: IdKind, chunk: number, index: number): Types.ObjectId {
    if (index >= 1 << 24) throw new RangeError(`id index ${index} overflows 3 bytes`);
    const bytes = Buffer.alloc(12);
    bytes.writeUInt32BE(BASE_SECONDS + chunk, 0);
    this.seedTag.copy(bytes, 4);
    bytes.writeUInt8(ID_KIND[kind], 8);
    bytes.writeUIntBE(index, 9, 3);
    return new Types.ObjectId(bytes);
  }
}
