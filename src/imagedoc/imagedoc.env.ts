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

  /** Root folder of the local filesystem storage driver (uploaded files, named by generated ids). */
  @IsString()
  STORAGE_DIR: string = '.runtime/storage';
}
