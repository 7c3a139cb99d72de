import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import tesseractEnglish from '@tesseract.js-data/eng';
import sharp from 'sharp';
import { createWorker, OEM, Worker } from 'tesseract.js';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';

export interface OcrResult {
  text: string;
  /** Tesseract's mean word confidence, 0-100. */
  confidence: number;
  language: string;
}

/**
 * OCR with tesseract.js and the English model shipped in `@tesseract.js-data/eng` (read from
 * node_modules; nothing is downloaded at run time). One worker, created on first use and kept:
 * loading the model costs far more than recognising a page.
 */
@Injectable()
export class OcrEngine implements OnModuleDestroy {
  private worker?: Promise<Worker>;

  constructor(@Inject(ENV) private readonly env: Env) {}

  async recognize(image: Buffer): Promise<OcrResult> {
    const worker = await (this.worker ??= this.createWorker());
    // Tesseract reads PNG reliably across formats (WebP support varies); grey helps it too.
    const png = await sharp(image, { limitInputPixels: this.env.IMAGE_MAX_PIXELS }).autoOrient().grayscale().png().toBuffer();
    const { data } = await worker.recognize(png);
    return { text: data.text.trim(), confidence: Math.round(data.confidence), language: tesseractEnglish.code };
  }

  async onModuleDestroy() {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await (await worker.catch(() => undefined))?.terminate();
  }

  private createWorker(): Promise<Worker> {
    const created = createWorker(tesseractEnglish.code, OEM.LSTM_ONLY, {
      langPath: tesseractEnglish.langPath,
      gzip: tesseractEnglish.gzip,
      // The model is read from the package on every start; no copy is cached anywhere.
      cacheMethod: 'none',
      cachePath: this.env.RUNTIME_DIR,
    });
    created.catch(() => (this.worker = undefined));
    return created;
  }
}
