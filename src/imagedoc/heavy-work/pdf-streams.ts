import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { constants, createInflate } from 'node:zlib';

/*
 * Runs in the heavy-work child (imported by `.ts` path): Node modules only.
 *
 * A PDF's size says nothing about what reading it costs: a 400 KiB Flate stream can inflate to
 * 400 MiB, which pdfjs would hold in memory. Before pdfjs sees a file, every zlib stream in it is
 * inflated here and its output counted and dropped, so a file whose streams inflate past the limit
 * is refused in a fraction of a second, holding no more than zlib's window.
 */

const STREAM_KEYWORD = Buffer.from('stream');
const END_KEYWORD = Buffer.from('end');
/** [/FlateDecode /FlateDecode] nests one stream in another; layers beyond this are left to the memory limit. */
const MAX_LAYERS = 3;

/** True when `data` holds, at `at`, a zlib header pdfjs's FlateStream accepts (deflate, FCHECK, no preset dictionary). */
export function isZlibHeader(data: Uint8Array, at: number): boolean {
  const cmf = data[at];
  const flg = data[at + 1];
  if (cmf === undefined || flg === undefined) return false;
  return (cmf & 0x0f) === 8 && ((cmf << 8) + flg) % 31 === 0 && (flg & 0x20) === 0;
}

/**
 * Where stream data may start: after every `stream` keyword (not `endstream`) and its line end.
 * The dictionary in front is not trusted or parsed: any zlib data after the keyword counts, so a
 * wrong /Length or /Filter cannot hide a stream from the count.
 */
export function* streamStarts(pdf: Buffer): Generator<number> {
  for (let at = pdf.indexOf(STREAM_KEYWORD); at !== -1; at = pdf.indexOf(STREAM_KEYWORD, at + STREAM_KEYWORD.length)) {
    if (at >= 3 && pdf.subarray(at - 3, at).equals(END_KEYWORD)) continue;
    let start = at + STREAM_KEYWORD.length;
    // pdfjs skips to the next line; producers write CRLF, LF, a lone CR, or (wrongly) a space first.
    for (let skipped = 0; skipped < 3 && [0x0d, 0x0a, 0x20].includes(pdf[start]); skipped++) start++;
    if (isZlibHeader(pdf, start)) yield start;
  }
}

/**
 * Bytes the PDF's zlib streams inflate to, nested layers included. Counting stops soon after the
 * total passes `limit` (the result is then above it), so the cost is bounded by the limit, not
 * by the file. Data after a stream's end is ignored and a truncated or damaged stream counts
 * what it gave: zlib finds each stream's end itself, whatever /Length claims.
 */
export async function inflatedBytes(pdf: Buffer, limit: number): Promise<number> {
  let total = 0;
  for (const start of streamStarts(pdf)) {
    total += await inflatedLength([pdf.subarray(start)], limit - total, 1);
    if (total > limit) break;
  }
  return total;
}

/** Output bytes of one zlib stream (and of a zlib stream inside its output), stopping past `budget`. */
async function inflatedLength(input: Iterable<Buffer> | AsyncIterable<Buffer>, budget: number, layer: number): Promise<number> {
  const inflate = createInflate({ finishFlush: constants.Z_SYNC_FLUSH });
  const source = Readable.from(input, { objectMode: false });
  source.on('error', () => inflate.destroy());
  source.pipe(inflate);
  let produced = 0;
  let inner: { feed: PassThrough; counted: Promise<number>; done: boolean } | undefined;
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) {
      if (produced === 0 && layer < MAX_LAYERS && isZlibHeader(chunk, 0)) {
        const feed = new PassThrough();
        const counted = inflatedLength(feed, budget, layer + 1);
        inner = { feed, counted, done: false };
        void counted.finally(() => (inner!.done = true));
      }
      produced += chunk.length;
      if (produced > budget) break;
      if (inner && !inner.done && !inner.feed.write(chunk)) await Promise.race([once(inner.feed, 'drain'), inner.counted]);
    }
  } catch {
    // Damaged data: pdfjs fails on it too. What it inflated to so far is counted.
  } finally {
    source.unpipe(inflate);
    source.destroy();
    inflate.destroy();
    inner?.feed.end();
  }
  return produced + (inner ? await inner.counted : 0);
}
