import { PayloadTooLargeException } from '@nestjs/common';

/**
 * Decoding cost is set by the pixel count a file declares, not by its size: a 31 KB PNG can
 * declare 16000×16000 pixels (1 GB decoded). Files are judged from their headers, before any
 * decoding, against IMAGE_MAX_PIXELS and PDF_MAX_PAGES.
 */
export function assertPixelsWithin(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new PayloadTooLargeException(
      `the image is ${width}×${height} = ${width * height} pixels; the limit is ${maxPixels} (IMAGE_MAX_PIXELS)`,
    );
  }
}

export function assertPagesWithin(pages: number, maxPages: number): void {
  if (pages > maxPages) throw new PayloadTooLargeException(`the PDF has ${pages} pages; the limit is ${maxPages} (PDF_MAX_PAGES)`);
}
