import sharp, { type Sharp } from 'sharp';
import { JobRefusal } from '../../infra/workers/worker-protocol.ts';
import type { ConvertParams, CropParams, ResizeParams, RotateParams } from '../dto/operation.dto';
import { REFUSED, type EditJob, type EditResult } from './jobs.ts';

const FORMAT_OF_MIME: Record<string, 'png' | 'jpeg' | 'webp'> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' };

/** One libvips thread per job and no cache between jobs: each slot takes about one core, and memory is handed back. */
export function configureSharp(): void {
  sharp.concurrency(1);
  sharp.cache(false);
}

/**
 * Applies one edit; the output keeps the source format unless the edit is `convert`. EXIF
 * orientation is applied first, so crop coordinates mean what the user sees. The API process has
 * checked the parameters against the stored size; here the decoder is bounded by maxInputPixels
 * whatever the file claims, and the result is refused if it is larger than allowed.
 */
export async function editImage(job: EditJob): Promise<EditResult> {
  const input = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  let image: Sharp = sharp(input, { limitInputPixels: job.maxInputPixels }).autoOrient();
  let format = FORMAT_OF_MIME[job.mime];
  let quality: number | undefined;
  switch (job.type) {
    case 'resize': {
      const p = job.params as unknown as ResizeParams;
      image = image.resize({ width: p.width, height: p.height, fit: p.fit });
      break;
    }
    case 'rotate': {
      const p = job.params as unknown as RotateParams;
      image = image.rotate(p.angle, { background: { r: 255, g: 255, b: 255, alpha: format === 'jpeg' ? 1 : 0 } });
      break;
    }
    case 'crop': {
      const p = job.params as unknown as CropParams;
      image = image.extract({ left: p.left, top: p.top, width: p.width, height: p.height });
      break;
    }
    case 'grayscale':
      image = image.grayscale();
      break;
    case 'convert': {
      const p = job.params as unknown as ConvertParams;
      format = p.format;
      quality = p.quality;
      break;
    }
  }
  const { data, info } = await image
    .toFormat(format, quality ? { quality } : {})
    .toBuffer({ resolveWithObject: true })
    .catch((error: Error) => {
      throw new JobRefusal(/pixel limit/i.test(error.message) ? REFUSED.pixels : REFUSED.unreadable, error.message);
    });
  if (info.width * info.height > job.maxOutputPixels) {
    throw new JobRefusal(
      REFUSED.outputPixels,
      `the result would be ${info.width}×${info.height} pixels; the limit is ${job.maxOutputPixels}`,
    );
  }
  if (data.length > job.maxOutputBytes) {
    throw new JobRefusal(REFUSED.outputBytes, `the result would be ${data.length} bytes; the limit is ${job.maxOutputBytes}`);
  }
  return { data, width: info.width, height: info.height };
}
