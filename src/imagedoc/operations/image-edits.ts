import { BadRequestException } from '@nestjs/common';
import sharp, { Sharp } from 'sharp';
import type { ConvertParams, CropParams, ImageOperation, ResizeParams, RotateParams } from '../dto/operation.dto';

const FORMAT_OF_MIME: Record<string, 'png' | 'jpeg' | 'webp'> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' };

export interface ImageSize {
  width: number;
  height: number;
}

/** Pixels an edit will produce from a `size` image (resize and rotate can make far more than they read). */
export function outputPixels(type: ImageOperation, params: Record<string, unknown>, size: ImageSize): number {
  const { width: w, height: h } = size;
  if (type === 'resize') {
    const p = params as unknown as ResizeParams;
    if (p.width && p.height) {
      if (p.fit !== 'outside') return p.width * p.height;
      const scale = Math.max(p.width / w, p.height / h);
      return Math.ceil(w * scale) * Math.ceil(h * scale);
    }
    const scale = p.width ? p.width / w : (p.height ?? h) / h;
    return Math.ceil(w * scale) * Math.ceil(h * scale);
  }
  if (type === 'rotate') {
    const radians = (((params as unknown as RotateParams).angle % 360) * Math.PI) / 180;
    const cos = Math.abs(Math.cos(radians));
    const sin = Math.abs(Math.sin(radians));
    return Math.ceil(w * cos + h * sin) * Math.ceil(w * sin + h * cos);
  }
  return w * h;
}

/**
 * Applies one edit with sharp; the output keeps the source format unless the edit is `convert`.
 * EXIF orientation is applied first, so crop coordinates mean what the user sees. `maxPixels`
 * bounds what sharp will decode, whatever the stored metadata says.
 */
export async function applyImageEdit(
  type: ImageOperation,
  params: Record<string, unknown>,
  data: Buffer,
  mime: string,
  size: ImageSize,
  maxPixels: number,
): Promise<Buffer> {
  let image: Sharp = sharp(data, { limitInputPixels: maxPixels }).autoOrient();
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
