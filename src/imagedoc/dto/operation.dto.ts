import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DecimalNumber } from '../../common/decimal';
import { IsIn, IsInt, IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsFreeFormObject } from '../../common/free-form-object';

export const IMAGE_OPERATIONS = ['resize', 'rotate', 'crop', 'grayscale', 'convert'] as const;
export const TEXT_OPERATIONS = ['extract_text', 'translate'] as const;
export const OPERATION_TYPES = [...IMAGE_OPERATIONS, ...TEXT_OPERATIONS] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];
export type ImageOperation = (typeof IMAGE_OPERATIONS)[number];

export const MAX_DIMENSION = 10_000;
export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;

export class OperationDto {
  @ApiProperty({ enum: OPERATION_TYPES, example: 'resize' })
  @IsIn(OPERATION_TYPES)
  type: OperationType;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { width: 320 },
    description:
      'resize {width?, height?, fit?}; rotate {angle: -360..360}; crop {left, top, width, height}; grayscale {}; ' +
      'convert {format: png|jpeg|webp, quality?: 1-100}; extract_text {}; translate {target, source?: "auto"}',
  })
  @IsOptional()
  @IsFreeFormObject(16)
  params?: Record<string, unknown>;
}

/* Parameters per operation, validated after `type` picks the class (unknown keys → 400). */

export class ResizeParams {
  @IsOptional() @DecimalNumber() @IsInt() @Min(1) @Max(MAX_DIMENSION) width?: number;
  @IsOptional() @DecimalNumber() @IsInt() @Min(1) @Max(MAX_DIMENSION) height?: number;
  @IsIn(['cover', 'contain', 'fill', 'inside', 'outside']) fit: 'cover' | 'contain' | 'fill' | 'inside' | 'outside' = 'inside';
}

export class RotateParams {
  @DecimalNumber() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-360) @Max(360) angle: number;
}

export class CropParams {
  @DecimalNumber() @IsInt() @Min(0) @Max(MAX_DIMENSION) left: number;
  @DecimalNumber() @IsInt() @Min(0) @Max(MAX_DIMENSION) top: number;
  @DecimalNumber() @IsInt() @Min(1) @Max(MAX_DIMENSION) width: number;
  @DecimalNumber() @IsInt() @Min(1) @Max(MAX_DIMENSION) height: number;
}

export class GrayscaleParams {}

export class ConvertParams {
  @IsIn(OUTPUT_FORMATS) format: (typeof OUTPUT_FORMATS)[number];
  @IsOptional() @DecimalNumber() @IsInt() @Min(1) @Max(100) quality?: number;
}

export class ExtractTextParams {}

const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z]{2,4})?$/;

export class TranslateParams {
  @Matches(LANGUAGE, { message: 'target must be a language code such as "pt" or "zh-Hans"' }) target: string;
  @Matches(/^(auto|[a-z]{2,3}(-[A-Za-z]{2,4})?)$/, { message: 'source must be "auto" or a language code' }) source: string = 'auto';
}

export const PARAMS_BY_TYPE: Record<OperationType, new () => object> = {
  resize: ResizeParams,
  rotate: RotateParams,
  crop: CropParams,
  grayscale: GrayscaleParams,
  convert: ConvertParams,
  extract_text: ExtractTextParams,
  translate: TranslateParams,
};
