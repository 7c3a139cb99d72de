import { IsInt, IsString, Max, Min } from 'class-validator';

/** ImageDoc's uploads, their limits and where the files are kept (src/imagedoc). */
export class ImagedocEnv {
  /** Largest accepted upload (ImageDoc documents), in bytes; larger uploads get 413. */
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  UPLOAD_MAX_BYTES: number = 20 * 1024 * 1024;

  /** Images (uploads, edits, OCR) declaring more pixels than this get 413, decided from the header. */
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  IMAGE_MAX_PIXELS: number = 40_000_000;

  /** PDFs with more pages than this get 413 at upload (text extraction reads every page). */
  @IsInt()
  @Min(1)
  @Max(100_000)
  PDF_MAX_PAGES: number = 500;

  /** PDFs whose compressed streams inflate to more bytes than this (all streams together) are refused with 413 before they are read. */
  @IsInt()
  @Min(1024 * 1024)
  @Max(16 * 1024 * 1024 * 1024)
  PDF_MAX_INFLATED_BYTES: number = 128 * 1024 * 1024;

  /** Images (OCR) are scaled down to at most this many pixels before text recognition (its time grows with pixels). */
  @IsInt()
  @Min(10_000)
  @Max(1_000_000_000)
  OCR_MAX_PIXELS: number = 10_000_000;

  /** An image edit whose result would have more pixels than this is refused (400) from its parameters, before it runs. */
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  IMAGE_MAX_OUTPUT_PIXELS: number = 16_000_000;

  /** Root folder of the local filesystem storage driver (uploaded files, named by generated ids). */
  @IsString()
  STORAGE_DIR: string = '.runtime/storage';
}
