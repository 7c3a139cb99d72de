import { Inject, Injectable, UnsupportedMediaTypeException } from '@nestjs/common';
import { fileTypeFromBuffer } from 'file-type';
import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import sharp from 'sharp';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { DOCUMENT_MIME_TYPES, DocumentMimeType } from '../schemas/doc-file.schema';
import { HeavyWork, UnreadableContentException, WorkOwner } from '../heavy-work/heavy-work.service';
import { assertPixelsWithin } from './content-limits';

/** What a client claimed about a file: neither decides its type, but a contradiction rejects it. */
export interface DeclaredType {
  filename?: string;
  mimetype?: string;
}

export interface FileFacts {
  mime_type: DocumentMimeType;
  extension: string;
  size: number;
  sha256: string;
  width?: number;
  height?: number;
  page_count?: number;
}

const EXTENSION_TYPES: Record<string, DocumentMimeType> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
};
const EXTENSIONS: Record<DocumentMimeType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};
/** Headers that say nothing about the type (what browsers and curl send for unknown files). */
const NEUTRAL_TYPES = new Set(['', 'application/octet-stream']);
/** Non-standard spellings some clients send. */
const TYPE_ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'image/x-png': 'image/png' };

export function isImage(mime: string): boolean {
  return mime.startsWith('image/');
}

/** Decides a file's type from its bytes and reads the facts stored as document metadata. */
@Injectable()
export class FileInspector {
  constructor(
    private readonly heavyWork: HeavyWork,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * 415 for content that is not PNG/JPEG/WebP/PDF, for a name or header that says otherwise, and for
   * unreadable files; 413 for images over IMAGE_MAX_PIXELS (read from the header, nothing is
   * decoded), PDFs over PDF_MAX_PAGES or whose streams inflate past PDF_MAX_INFLATED_BYTES. A PDF is
   * read in a heavy-work process, in `owner`'s turn.
   */
  async inspect(data: Buffer, owner: WorkOwner, declared: DeclaredType = {}): Promise<FileFacts> {
    const detected = await fileTypeFromBuffer(data);
    const mime = detected?.mime as DocumentMimeType | undefined;
    if (!mime || !DOCUMENT_MIME_TYPES.includes(mime)) {
      throw new UnsupportedMediaTypeException(
        `unsupported file content${detected ? ` (${detected.mime})` : ''}: accepted are PNG, JPEG, WebP and PDF`,
      );
    }
    this.assertDeclaredMatches(mime, declared);

    const facts: FileFacts = {
      mime_type: mime,
      extension: EXTENSIONS[mime],
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
    if (isImage(mime)) {
      // metadata() reads the header only (no decoding), so an oversized image is refused below with a 413.
      const meta = await sharp(data, { limitInputPixels: false })
        .metadata()
        .catch(() => undefined);
      if (!meta?.width || !meta.height)
        throw new UnsupportedMediaTypeException(`the file is not a readable ${EXTENSIONS[mime].toUpperCase()} image`);
      assertPixelsWithin(meta.width, meta.height, this.env.IMAGE_MAX_PIXELS);
      facts.width = meta.autoOrient?.width ?? meta.width;
      facts.height = meta.autoOrient?.height ?? meta.height;
    } else {
      const { pageCount } = await this.heavyWork.readPdf(owner, data, false).catch((error: Error) => {
        if (error instanceof UnreadableContentException)
          throw new UnsupportedMediaTypeException(`the file is not a readable PDF: ${error.reason}`);
        throw error;
      });
      facts.page_count = pageCount;
    }
    return facts;
  }

  private assertDeclaredMatches(mime: DocumentMimeType, declared: DeclaredType) {
    const given = (declared.mimetype ?? '').toLowerCase().split(';')[0].trim();
    const header = TYPE_ALIASES[given] ?? given;
    if (!NEUTRAL_TYPES.has(header) && header !== mime) {
      throw new UnsupportedMediaTypeException(`the file is declared as ${header} but its content is ${mime}`);
    }
    const extension = extname(declared.filename ?? '').toLowerCase();
    if (extension && EXTENSION_TYPES[extension] !== mime) {
      throw new UnsupportedMediaTypeException(`the file name ends in ${extension} but its content is ${mime}`);
    }
  }
}
