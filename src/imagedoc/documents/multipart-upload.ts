import type { MultipartFile } from '@fastify/multipart';
import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
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

const MAX_TITLE = 200;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Reads a multipart form with the fields `file` and `title` (any order). The file is buffered:
 * it is bounded by UPLOAD_MAX_BYTES (the plugin stops reading beyond it → 413) and must be
 * inspected whole (type, hash, dimensions) before anything is stored.
 */
export async function readUploadForm(request: FastifyRequest, maxBytes: number): Promise<UploadForm> {
  if (!request.isMultipart()) {
    throw new UnsupportedMediaTypeException('send multipart/form-data with the fields "file" and "title"');
  }
  const form: UploadForm = {};
  try {
    for await (const part of request.parts()) {
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
    throw error;
  }
  if (form.title !== undefined) {
    if (!form.title || form.title.length > MAX_TITLE || CONTROL_CHARACTERS.test(form.title)) {
      throw new BadRequestException(`title must be 1-${MAX_TITLE} characters without control characters`);
    }
  }
  return form;
}

async function readFile(part: MultipartFile): Promise<UploadedFile> {
  const data = await part.toBuffer();
  return { data, filename: basename(part.filename.replace(/\\/g, '/')).slice(0, 255), mimetype: part.mimetype };
}
