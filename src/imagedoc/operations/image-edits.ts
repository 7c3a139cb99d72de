import { BadRequestException } from '@nestjs/common';
import type { CropParams, ImageOperation, ResizeParams, RotateParams } from '../dto/operation.dto';

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
  if (type === 'crop') {
    const p = params as unknown as CropParams;
    return p.width * p.height;
  }
  return w * h;
}

/**
 * 400 for an edit that cannot apply to a `size` image or would produce more than `maxOutputPixels`,
 * decided from the parameters and the stored size before any work starts.
 */
export function assertEditFits(type: ImageOperation, params: Record<string, unknown>, size: ImageSize, maxOutputPixels: number): void {
  if (type === 'crop') {
    const p = params as unknown as CropParams;
    if (p.left + p.width > size.width || p.top + p.height > size.height) {
      throw new BadRequestException(`the crop area must lie inside the ${size.width}x${size.height} image`);
    }
  }
  const produced = outputPixels(type, params, size);
  if (produced > maxOutputPixels) {
    throw new BadRequestException(
      `this ${type} would produce ${produced} pixels; the limit is ${maxOutputPixels} (IMAGE_MAX_OUTPUT_PIXELS)`,
    );
  }
}
