import { serveJobs } from '../../infra/workers/worker-child.ts';
import { configureSharp, editImage } from './image-job.ts';
import type { HeavyJob } from './jobs';
import { recognizeText } from './ocr-job.ts';
import { loadPdfjs, readPdf } from './pdf-job.ts';

/*
 * The heavy-work child process (started by HeavyWork through a WorkerSet): PDF reading, image
 * edits and OCR run here, where the API process can bound their memory and CPU and kill them.
 * Run compiled in production and straight from source by Node's type stripping in tests, so
 * every relative import that is not type-only names its `.ts` file.
 */

function handle(job: HeavyJob): Promise<unknown> {
  switch (job.kind) {
    case 'pdf':
      return readPdf(job);
    case 'edit':
      return editImage(job);
    case 'ocr':
      return recognizeText(job);
  }
}

serveJobs(handle, async () => {
  // Loaded before the first job (about 0.2 s); tesseract (about 0.5 s and 150 MiB) waits for the first OCR job.
  configureSharp();
  await loadPdfjs();
});
