import tesseractEnglish from '@tesseract.js-data/eng';
import sharp from 'sharp';
import type { Worker } from 'tesseract.js';
import { JobRefusal } from '../../infra/workers/worker-protocol.ts';
import { REFUSED, type OcrJob, type OcrResult } from './jobs.ts';

let worker: Promise<Worker> | undefined;

/**
 * Tesseract with the English model shipped in `@tesseract.js-data/eng` (read from node_modules;
 * nothing is downloaded). Created on the first OCR job and kept for this process's life: loading
 * the model costs far more than recognising a small page.
 */
function tesseract(): Promise<Worker> {
  worker ??= import('tesseract.js').then(({ createWorker, OEM }) =>
    createWorker(tesseractEnglish.code, OEM.LSTM_ONLY, {
      langPath: tesseractEnglish.langPath,
      gzip: tesseractEnglish.gzip,
      cacheMethod: 'none',
    }),
  );
  worker.catch(() => (worker = undefined));
  return worker;
}

/** Reads the text in an image, scaled down first to at most maxOcrPixels (recognition time grows with pixels). */
export async function recognizeText(job: OcrJob): Promise<OcrResult> {
  const input = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  let png: Buffer;
  try {
    const oriented = sharp(input, { limitInputPixels: job.maxInputPixels }).autoOrient();
    const { autoOrient, width = 0, height = 0 } = await oriented.metadata();
    const [w, h] = autoOrient ? [autoOrient.width, autoOrient.height] : [width, height];
    const scale = Math.min(1, Math.sqrt(job.maxOcrPixels / (w * h)));
    const resized = scale < 1 ? oriented.resize(Math.max(1, Math.floor(w * scale)), Math.max(1, Math.floor(h * scale))) : oriented;
    // Tesseract reads PNG reliably across formats (WebP support varies); grey helps it too.
    png = await resized.grayscale().png().toBuffer();
  } catch (error) {
    const message = (error as Error).message;
    throw new JobRefusal(/pixel limit/i.test(message) ? REFUSED.pixels : REFUSED.unreadable, message);
  }
  const { data } = await (await tesseract()).recognize(png);
  return { text: data.text.trim(), confidence: Math.round(data.confidence), language: tesseractEnglish.code };
}
