import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createDeflate } from 'node:zlib';
import sharp from 'sharp';

/*
 * Hostile inputs of the heavy-work attack round (issue #20), built on the spot: used by the e2e
 * tests (test/security/heavy-work.e2e-spec.ts) and by bench:heavy-work.
 */

/** Part of a stream's plain content: bytes as they are, or this many zero bytes (whitespace to a PDF lexer). */
type Plain = Buffer | string | { zeros: number };

/**
 * zlib-compresses `parts` without ever holding the plain content: hundreds of MiB of zeros cost
 * ~1 KiB per MiB compressed and a fraction of a second, and the test process's memory stays flat
 * (in the e2e tests it is also the API process, whose memory they measure).
 */
export async function deflateParts(parts: Plain[]): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(deflate, 'end');
  const zeros = Buffer.alloc(1024 * 1024);
  const write = async (chunk: Buffer) => {
    if (!deflate.write(chunk)) await once(deflate, 'drain');
  };
  for (const part of parts) {
    if (typeof part === 'string' || Buffer.isBuffer(part)) await write(Buffer.from(part));
    else for (let left = part.zeros; left > 0; left -= zeros.length) await write(left >= zeros.length ? zeros : zeros.subarray(0, left));
  }
  deflate.end();
  await ended;
  return Buffer.concat(out);
}

/** Assembles numbered objects into a PDF with a classic xref table; `bodies[n]` is object n + 1. */
function classicPdf(bodies: Buffer[], rootObject: number): Buffer {
  const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0].length;
  const offsets: number[] = [];
  bodies.forEach((body, n) => {
    offsets.push(offset);
    const object = Buffer.concat([Buffer.from(`${n + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    chunks.push(object);
    offset += object.length;
  });
  const xref = [
    `xref\n0 ${bodies.length + 1}\n`,
    '0000000000 65535 f \n',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`),
  ];
  chunks.push(
    Buffer.from(`${xref.join('')}trailer\n<< /Size ${bodies.length + 1} /Root ${rootObject} 0 R >>\nstartxref\n${offset}\n%%EOF\n`),
  );
  return Buffer.concat(chunks);
}

const stream = (dictionary: string, data: Buffer) =>
  Buffer.concat([Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`), data, Buffer.from('\nendstream')]);

/**
 * A one-page PDF whose page content stream says "Bomb" and then inflates `paddingBytes` zeros
 * more: text extraction reads the whole stream. Valid xref, one page declared: nothing in its
 * structure trips a page or size limit.
 */
export async function contentBombPdf(paddingBytes: number): Promise<Buffer> {
  const content = await deflateParts(['BT /F1 24 Tf 20 100 Td (Bomb) Tj ET\n', { zeros: paddingBytes }]);
  return classicPdf(
    [
      Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
      Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
      Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>'),
      stream('/Filter /FlateDecode', content),
      Buffer.from('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'),
    ],
    1,
  );
}

/**
 * A one-page PDF whose catalog and page tree sit in a compressed object stream, behind
 * `paddingBytes` zeros: even the page count needs the whole stream inflated. Cross-referenced
 * by an xref stream (PDF 1.5), as compressed objects must be.
 */
export async function objectStreamBombPdf(paddingBytes: number): Promise<Buffer> {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] >>',
  ];
  let at = 0;
  const index = objects.map((object, n) => {
    const entry = `${n + 1} ${at} `;
    at += object.length + 1;
    return entry;
  });
  const header = index.join('');
  const first = header.length + paddingBytes;
  const packed = await deflateParts([header, { zeros: paddingBytes }, objects.join('\n'), '\n']);
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  const objectStream = Buffer.concat([
    Buffer.from('4 0 obj\n'),
    stream(`/Type /ObjStm /N 3 /First ${first} /Filter /FlateDecode`, packed),
    Buffer.from('\nendobj\n'),
  ]);
  const xrefOffset = head.length + objectStream.length;
  // Entries of [type, field 2, field 3] in 1 + 4 + 2 bytes: free, three compressed in object 4, two plain.
  const entry = (type: number, field2: number, field3: number) => {
    const bytes = Buffer.alloc(7);
    bytes.writeUInt8(type, 0);
    bytes.writeUInt32BE(field2, 1);
    bytes.writeUInt16BE(field3, 5);
    return bytes;
  };
  const table = Buffer.concat([
    entry(0, 0, 65535),
    entry(2, 4, 0),
    entry(2, 4, 1),
    entry(2, 4, 2),
    entry(1, head.length, 0),
    entry(1, xrefOffset, 0),
  ]);
  const xref = Buffer.concat([
    Buffer.from('5 0 obj\n'),
    stream('/Type /XRef /Size 6 /W [1 4 2] /Index [0 6] /Root 1 0 R', table),
    Buffer.from('\nendobj\n'),
  ]);
  return Buffer.concat([head, objectStream, xref, Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`)]);
}

/** A `size`×`size` black-and-white PNG densely covered with text: as costly to OCR as an image under the pixel limit gets. */
export async function denseTextPng(size: number): Promise<Buffer> {
  const tileSize = 600;
  const words = 'invoice total amount due payment received balance account number reference date customer'.split(' ');
  const lines = Array.from({ length: 24 }, (_, row) => {
    const text = Array.from({ length: 12 }, (__, n) => words[(row * 7 + n * 3) % words.length]).join(' ');
    return `<text x="2" y="${(row + 1) * 24}">${text}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${tileSize}" height="${tileSize}"><rect width="100%" height="100%" fill="#fff"/><g font-family="DejaVu Sans" font-size="18" fill="#000">${lines.join('')}</g></svg>`;
  const tile = await sharp(Buffer.from(svg)).png().toBuffer();
  return sharp({ create: { width: size, height: size, channels: 3, background: '#ffffff' }, limitInputPixels: false })
    .composite([{ input: tile, tile: true }])
    .threshold(128)
    .png({ palette: true, colours: 2, compressionLevel: 9 })
    .toBuffer();
}

/** An image of random pixels: incompressible, so converting it to PNG makes a file of about width × height × 3 bytes. */
export function noiseImage(width: number, height: number, format: 'png' | 'jpeg', quality = 50): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 }, limitInputPixels: false })
    .toFormat(format, format === 'jpeg' ? { quality } : { compressionLevel: 1 })
    .toBuffer();
}
