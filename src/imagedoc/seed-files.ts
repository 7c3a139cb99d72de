import PDFDocument from 'pdfkit';
import sharp from 'sharp';

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A real raster image: a coloured background with a caption large enough for OCR to read. */
export async function generateImage(
  caption: string,
  format: 'png' | 'jpeg' | 'webp',
  hue: number,
  width = 800,
  height = 300,
): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
    <stop offset="0" stop-color="hsl(${hue},70%,92%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},70%,80%)"/>
  </linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#g)"/>
  <circle cx="${width - 90}" cy="80" r="50" fill="hsl(${(hue + 180) % 360},60%,55%)" opacity="0.6"/>
  <text x="40" y="${height / 2 + 20}" font-family="DejaVu Sans, Arial, sans-serif" font-size="56" font-weight="bold" fill="#111">${escapeXml(caption)}</text>
</svg>`;
  return sharp(Buffer.from(svg)).toFormat(format).toBuffer();
}

/** A PDF with a real text layer (one paragraph per page). */
export function generatePdf(title: string, author: string, paragraphs: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ info: { Title: title, Author: author }, compress: true });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(22).text(title);
    paragraphs.forEach((paragraph, index) => {
      if (index > 0) doc.addPage();
      doc.moveDown().fontSize(12).text(paragraph);
    });
    doc.end();
  });
}
