import { JobRefusal } from '../../infra/workers/worker-protocol.ts';
import { REFUSED, type PdfJob, type PdfResult } from './jobs.ts';
import { inflatedBytes } from './pdf-streams.ts';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<Pdfjs> | undefined;

/** pdfjs-dist ships ES modules only: loaded by import() in this process, once. */
export function loadPdfjs(): Promise<Pdfjs> {
  return (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'));
}

/** Page count and, when asked, the text layer of every page; the inflate count runs first. */
export async function readPdf(job: PdfJob): Promise<PdfResult> {
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const inflated = await inflatedBytes(data, job.maxInflatedBytes);
  if (inflated > job.maxInflatedBytes) {
    throw new JobRefusal(REFUSED.inflate, `the PDF's compressed streams inflate to more than ${job.maxInflatedBytes} bytes`);
  }
  const { getDocument } = await loadPdfjs();
  let document;
  try {
    // A copy: pdfjs detaches the buffer it is given.
    document = await getDocument({
      data: new Uint8Array(data),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: true,
      verbosity: 0,
    }).promise;
  } catch (error) {
    throw new JobRefusal(REFUSED.unreadable, (error as Error).message);
  }
  try {
    const pageCount = document.numPages;
    if (pageCount > job.maxPages) throw new JobRefusal(REFUSED.pages, `the PDF has ${pageCount} pages; the limit is ${job.maxPages}`);
    if (!job.withText) return { pageCount };
    const pages: string[] = [];
    let bytes = 0;
    for (let n = 1; n <= pageCount; n++) {
      const page = await document.getPage(n);
      const content = await page.getTextContent();
      const text = content.items
        .map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : ''))
        .join('')
        .trim();
      page.cleanup();
      bytes += Buffer.byteLength(text);
      if (bytes > job.maxTextBytes) {
        throw new JobRefusal(REFUSED.outputBytes, `the PDF's text is longer than ${job.maxTextBytes} bytes (by page ${n})`);
      }
      pages.push(text);
    }
    return { pageCount, pages };
  } finally {
    await document.destroy().catch(() => undefined);
  }
}
