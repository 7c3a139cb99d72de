import { BadRequestException } from '@nestjs/common';
import sharp, { Sharp } from 'sharp';
import type { ConvertParams, CropParams, ImageOperation, ResizeParams, RotateParams } from '../dto/operation.dto';

const FORMAT_OF_MIME: Record<string, 'png' | 'jpeg' | 'webp'> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' };

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Applies one edit with sharp; the output keeps the source format unless the edit is `convert`.
 * EXIF orientation is applied first, so crop coordinates mean what the user sees.
 */
export async function applyImageEdit(
  type: ImageOperation,
  params: Record<string, unknown>,
  data: Buffer,
  mime: string,
  size: ImageSize,
): Promise<Buffer> {
  let image: Sharp = sharp(data).autoOrient();
  let format = FORMAT_OF_MIME[mime];
  let quality: number | undefined;
  switch (type) {
    case 'resize': {
      const p = params as unknown as ResizeParams;
      image = image.resize({ width: p.width, height: p.height, fit: p.fit });
      break;
    }
    case 'rotate': {
      const p = params as unknown as RotateParams;
      image = image.rotate(p.angle, { background: { r: 255, g: 255, b: 255, alpha: format === 'jpeg' ? 1 : 0 } });
      break;
    }
    case 'crop': {
      const p = params as unknown as CropParams;
      if (p.left + p.width > size.width || p.top + p.height > size.height) {
        throw new BadRequestException(`the crop area must lie inside the ${size.width}x${size.height} image`);
      }
      image = image.extract({ left: p.left, top: p.top, width: p.width, height: p.height });
      break;
    }
    case 'grayscale':
      image = image.grayscale();
      break;
    case 'convert': {
      const p = params as unknown as ConvertParams;
      format = p.format;
      quality = p.quality;
      break;
    }
  }
  return image.toFormat(format, quality ? { quality } : {}).toBuffer();
}
