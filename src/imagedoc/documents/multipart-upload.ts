import type { MultipartFile } from '@fastify/multipart';
import { BadRequestException, HttpException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { isValidTitle, TITLE_RULE } from '../../common/text-rules';
import type { FastifyRequest } from 'fastify';
import { basename } from 'node:path';

export interface UploadedFile {
  data: Buffer;
  /** Client-supplied; only ever compared or stored as text, never used in a path. */
  filename: string;
  mimetype: string;
}

export interface UploadForm {
  file?: UploadedFile;
  title?: string;
}

/**
 * Reads a multipart form with the fields `file` and `title` (any order). The file is buffered:
 * it is bounded by UPLOAD_MAX_BYTES (the plugin stops reading beyond it → 413) and must be
 * inspected whole (type, hash, dimensions) before anything is stored. One file per request.
 */
export async function readUploadForm(request: FastifyRequest, maxBytes: number): Promise<UploadForm> {
  if (!request.isMultipart()) {
    throw new UnsupportedMediaTypeException('send multipart/form-data with the fields "file" and "title"');
  }
  const form: UploadForm = {};
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 20 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw new BadRequestException(`unexpected file field "${part.fieldname}": the file goes in "file"`);
        form.file = await readFile(part);
      } else if (part.fieldname === 'title') {
        form.title = typeof part.value === 'string' ? part.value.trim() : undefined;
      } else {
        throw new BadRequestException(`unknown field "${part.fieldname}": expected "file" and "title"`);
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new PayloadTooLargeException(`the file is larger than the ${maxBytes}-byte limit`);
    if (code === 'FST_FILES_LIMIT') throw new PayloadTooLargeException('one file per upload');
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new PayloadTooLargeException('too many form fields');
    if (error instanceof HttpException) throw error;
    // busboy's complaints (no boundary, cut-short body, bad part headers) are the client's bytes.
    throw new BadRequestException(`malformed multipart body: ${(error as Error).message}`);
  }
  if (form.title !== undefined) {
    if (!isValidTitle(form.title)) throw new BadRequestException(`title must be ${TITLE_RULE}`);
  }
  return form;
}

async function readFile(part: MultipartFile): Promise<UploadedFile> {
  const data = await part.toBuffer();
  return { data, filename: basename(part.filename.replace(/\\/g, '/')).slice(0, 255), mimetype: part.mimetype };
}
