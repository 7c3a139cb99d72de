import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The compressed forms of a body L1 may hold; a form that would not be smaller is left out. */
export interface EncodedForms {
  br?: Buffer;
  gzip?: Buffer;
}

export type Coding = keyof EncodedForms;

/**
 * Compressions in flight per process. Each holds an encoder's state (brotli at quality 11: MBs)
 * on zlib's thread pool; unbounded, a stream of new entries (50,000 distinct keys read in turn)
 * queued them faster than the pool ran them, and the process grew by hundreds of MiB. A form asked
 * for while all slots are busy is computed when it is asked for again (hot entries get their forms;
 * one-off ones never cost any).
 */
export const COMPRESSIONS_IN_FLIGHT_MAX = 2;

/**
 * Brotli at its best quality costs ~20 ms for 16 KB (measured here), paid once per entry per
 * instance on zlib's thread pool; past 64 KB the cost grows and quality 5 gives most of the gain.
 */
const BEST_QUALITY_MAX_BYTES = 64 * 1024;

/** One form, computed off the event loop (zlib's thread pool); undefined when it is not smaller. */
export async function compressForm(body: Buffer, coding: Coding): Promise<Buffer | undefined> {
  const form =
    coding === 'br'
      ? await brotli(body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: body.length <= BEST_QUALITY_MAX_BYTES ? 11 : 5,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
          },
        })
      : await gzipAsync(body, { level: 9 });
  return form.length < body.length ? form : undefined;
}
