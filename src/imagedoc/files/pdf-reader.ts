import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Worker } from 'node:worker_threads';

export interface PdfContent {
  pageCount: number;
  /** Text layer of each page (empty for scanned pages without one). */
  pages?: string[];
}

interface Job {
  resolve: (value: PdfContent) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/*
 * pdfjs-dist runs in a worker thread: parsing is CPU work that must not stall the event loop, and
 * the package ships ES modules only, which the worker loads through Node's own require(esm)
 * (Jest's module loader cannot on Node 20, so loading it in-process would break the tests).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pdfjs = require(workerData.pdfjsPath);
parentPort.on('message', async ({ id, withText, data }) => {
  let doc;
  try {
    doc = await pdfjs.getDocument({ data, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: true, verbosity: 0 }).promise;
    const result = { pageCount: doc.numPages };
    if (withText) {
      result.pages = [];
      for (let n = 1; n <= doc.numPages; n++) {
        const page = await doc.getPage(n);
        const content = await page.getTextContent();
        result.pages.push(content.items.map((item) => (item.str || '') + (item.hasEOL ? '\\n' : '')).join('').trim());
        page.cleanup();
      }
    }
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  } finally {
    if (doc) await doc.destroy().catch(() => undefined);
  }
});
`;

const JOB_TIMEOUT_MS = 60_000;

/** Reads page counts and text layers of PDFs, one worker thread started on first use. */
@Injectable()
export class PdfReader implements OnModuleDestroy {
  private readonly logger = new Logger('PdfReader');
  private worker?: Worker;
  private nextId = 0;
  private readonly jobs = new Map<number, Job>();

  /** Page count; rejects when the bytes are not a readable PDF (damaged, encrypted). */
  async pageCount(data: Buffer): Promise<number> {
    return (await this.run(data, false)).pageCount;
  }

  async text(data: Buffer): Promise<Required<PdfContent>> {
    return (await this.run(data, true)) as Required<PdfContent>;
  }

  async onModuleDestroy() {
    await this.restart();
  }

  private run(data: Buffer, withText: boolean): Promise<PdfContent> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<PdfContent>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A stuck parse blocks the worker: fail everything queued on it and start afresh.
        this.failAll(new Error('PDF reading timed out'));
        void this.restart();
      }, JOB_TIMEOUT_MS);
      this.jobs.set(id, { resolve, reject, timer });
      // A copy: pdfjs detaches the buffer it is given.
      worker.postMessage({ id, withText, data: new Uint8Array(data) });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pdfjsPath: require.resolve('pdfjs-dist/legacy/build/pdf.mjs') } });
    worker.unref();
    worker.on('message', ({ id, result, error }: { id: number; result?: PdfContent; error?: string }) => {
      const job = this.jobs.get(id);
      if (!job) return;
      this.jobs.delete(id);
      clearTimeout(job.timer);
      if (error !== undefined) job.reject(new Error(error));
      else job.resolve(result!);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (code !== 0) this.failAll(new Error(`PDF worker exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error) {
    this.logger.error(`PDF worker failed: ${error.message}`);
    for (const job of this.jobs.values()) {
      clearTimeout(job.timer);
      job.reject(error);
    }
    this.jobs.clear();
  }

  /** Stops the current worker on purpose (its exit is not a failure); the next job starts another. */
  private async restart() {
    const worker = this.worker;
    this.worker = undefined;
    worker?.removeAllListeners();
    await worker?.terminate();
  }
}
