import { deflateSync } from 'node:zlib';
import { inflatedBytes, isZlibHeader, streamStarts } from './pdf-streams';

const MiB = 1024 * 1024;

/** A PDF-like file: each body becomes `<< /Length n >>\nstream\n<body>\nendstream`. */
function pdfWith(...bodies: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  bodies.forEach((body, n) => {
    parts.push(
      Buffer.from(`${n + 1} 0 obj\n<< /Length ${body.length} /Filter /FlateDecode >>\nstream\n`),
      body,
      Buffer.from('\nendstream\nendobj\n'),
    );
  });
  parts.push(Buffer.from('%%EOF\n'));
  return Buffer.concat(parts);
}

describe('PDF stream inflate count', () => {
  it('recognises the zlib headers pdfjs accepts', () => {
    expect(isZlibHeader(deflateSync('x'), 0)).toBe(true);
    expect(isZlibHeader(Buffer.from([0x78, 0x9c]), 0)).toBe(true);
    expect(isZlibHeader(Buffer.from([0x78, 0x9d]), 0)).toBe(false); // FCHECK
    expect(isZlibHeader(Buffer.from([0x79, 0x9c]), 0)).toBe(false); // not deflate
    expect(isZlibHeader(Buffer.from([0x78]), 0)).toBe(false);
  });

  it('sums what every Flate stream inflates to, whatever /Length says, and ignores endstream and plain streams', async () => {
    const pdf = pdfWith(deflateSync(Buffer.alloc(1000, 1)), Buffer.from('BT (plain text) Tj ET'), deflateSync(Buffer.alloc(2345, 2)));
    expect([...streamStarts(pdf)]).toHaveLength(2);
    expect(await inflatedBytes(pdf, 10 * MiB)).toBe(3345);
    const lying = Buffer.from(pdf.toString('latin1').replace('/Length 1', '/Length 9'), 'latin1');
    expect(await inflatedBytes(lying, 10 * MiB)).toBe(3345);
  });

  it('finds data after CRLF, a lone CR or a space, and counts a truncated stream up to where it stops', async () => {
    const body = deflateSync(Buffer.alloc(100_000, 7));
    for (const eol of ['\r\n', '\r', ' ']) {
      const file = Buffer.concat([Buffer.from(`<< >>\nstream${eol}`), body, Buffer.from('\nendstream')]);
      expect(await inflatedBytes(file, MiB)).toBe(100_000);
    }
    const cut = Buffer.concat([Buffer.from('<< >>\nstream\n'), body.subarray(0, body.length >> 1)]);
    const counted = await inflatedBytes(cut, MiB);
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(100_000);
  });

  it('counts a stream nested in a stream ([/FlateDecode /FlateDecode])', async () => {
    const inner = deflateSync(Buffer.alloc(5 * MiB), { level: 9 });
    const pdf = pdfWith(deflateSync(inner));
    expect(await inflatedBytes(pdf, 64 * MiB)).toBe(5 * MiB + inner.length);
  });

  it('stops soon after the limit on a bomb, quickly and without keeping the output', async () => {
    const bomb = pdfWith(deflateSync(Buffer.alloc(128 * MiB), { level: 9 }));
    expect(bomb.length).toBeLessThan(200 * 1024);
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    const counted = await inflatedBytes(bomb, 8 * MiB);
    expect(counted).toBeGreaterThan(8 * MiB);
    expect(counted).toBeLessThan(9 * MiB);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(32 * MiB);
  });

  it('does not rescan the rest of the file for each stream: 2,000 streams in 20 MiB take well under a few seconds', async () => {
    const filler = Buffer.alloc(10_000, 0x20);
    const bodies = Array.from({ length: 2000 }, (_, n) => Buffer.concat([deflateSync(Buffer.from(`page ${n}`)), filler]));
    const pdf = pdfWith(...bodies);
    const started = performance.now();
    expect(await inflatedBytes(pdf, MiB)).toBe(bodies.reduce((sum, _, n) => sum + `page ${n}`.length, 0));
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
