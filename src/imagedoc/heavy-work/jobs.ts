import type { ImageOperation } from '../dto/operation.dto';

/*
 * The jobs the heavy-work child runs and what it answers: shared by the API process
 * (heavy-work.service.ts) and the child (heavy-worker.ts), so this file holds types and constants only.
 */

export interface PdfJob {
  kind: 'pdf';
  data: Uint8Array;
  /** false: the page count only (at upload); true: the text layer of every page too. */
  withText: boolean;
  maxInflatedBytes: number;
  maxPages: number;
  /** Largest text answer (UTF-8 bytes, all pages together). */
  maxTextBytes: number;
}

export interface EditJob {
  kind: 'edit';
  data: Uint8Array;
  mime: string;
  type: ImageOperation;
  params: Record<string, unknown>;
  maxInputPixels: number;
  maxOutputPixels: number;
  maxOutputBytes: number;
}

export interface OcrJob {
  kind: 'ocr';
  data: Uint8Array;
  maxInputPixels: number;
  /** Larger images are scaled down to this many pixels before recognition. */
  maxOcrPixels: number;
}

export type HeavyJob = PdfJob | EditJob | OcrJob;

export interface PdfResult {
  pageCount: number;
  /** Text layer of each page (empty for scanned pages without one); with `withText` only. */
  pages?: string[];
}

export interface EditResult {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface OcrResult {
  text: string;
  /** Tesseract's mean word confidence, 0-100. */
  confidence: number;
  language: string;
}

/** Why the child refused a job (JobRefusal codes); the API process answers each with a 413 or 422. */
export const REFUSED = {
  /** The PDF's streams inflate past PDF_MAX_INFLATED_BYTES. */
  inflate: 'inflate-limit',
  pages: 'page-limit',
  /** An image decodes to more pixels than allowed. */
  pixels: 'pixel-limit',
  /** The result would have more pixels than IMAGE_MAX_OUTPUT_PIXELS. */
  outputPixels: 'output-pixel-limit',
  /** The result (an image, or a PDF's text) would be larger than UPLOAD_MAX_BYTES. */
  outputBytes: 'output-byte-limit',
  /** The content cannot be read (damaged, encrypted, not what it claims). */
  unreadable: 'unreadable',
} as const;
