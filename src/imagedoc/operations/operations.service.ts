import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../auth/auth-user';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { CacheOutcome, TwoTierCache } from '../../infra/cache';
import { DocumentsService, DocumentView, operationsNamespace } from '../documents/documents.service';
import { IMAGE_OPERATIONS, ImageOperation, OperationDto, OperationType, TranslateParams } from '../dto/operation.dto';
import { assertPagesWithin, assertPixelsWithin } from '../files/content-limits';
import { FileInspector, isImage } from '../files/file-inspector';
import { HeavyWork, WorkOwner } from '../heavy-work/heavy-work.service';
import { assertEditFits } from './image-edits';
import { validateParams } from './operation-params';
import { TranslateClient } from './translate.client';

/** Results depend only on the file's bytes, so they may live long; a new or deleted file drops them. */
const RESULT_TTL_SECONDS = 24 * 3600;

/** The serialized result (what was cached) and where it came from. */
export type OperationOutcome = CacheOutcome;

interface ExtractedText {
  method: 'pdf-text-layer' | 'ocr';
  text: string;
  page_count?: number;
  pages?: { page: number; text: string }[];
  confidence?: number;
  language?: string;
}

const isImageOperation = (type: OperationType): type is ImageOperation => (IMAGE_OPERATIONS as readonly string[]).includes(type);

/**
 * Runs document operations, each cached by (file sha256, operation, canonical parameters) in the
 * file's own namespace `operations.<sha256>`, which replacing or deleting the file invalidates.
 */
@Injectable()
export class OperationsService {
  constructor(
    private readonly documents: DocumentsService,
    private readonly inspector: FileInspector,
    private readonly heavyWork: HeavyWork,
    private readonly translator: TranslateClient,
    private readonly cache: TwoTierCache,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async run(id: string, user: AuthUser, request: OperationDto): Promise<OperationOutcome> {
    const { type } = request;
    const params = validateParams(type, request.params);
    const document = await this.documents.get(id, user);
    if (isImageOperation(type) && !isImage(document.metadata.mime_type)) {
      throw new BadRequestException(`${type} applies to images; this document is ${document.metadata.mime_type}`);
    }
    if (type === 'translate') this.translator.assertConfigured();
    this.assertWithinLimits(document, type, params);

    // An edit's result is a new document in this collection, so the collection is part of its identity.
    // Other results are the caller's own: shared across users, a HIT (and its computed_at) would tell
    // one user that someone else processed the same bytes, and when.
    const identity = isImageOperation(type)
      ? { ...params, collection_id: String(document.collection_id) }
      : { ...params, user_id: user.id };
    return this.cached(document, type, identity, async () => {
      const result = isImageOperation(type)
        ? await this.edit(document, user, type, params)
        : type === 'extract_text'
          ? await this.extractText(document, user)
          : await this.translate(document, user, params as unknown as TranslateParams);
      return { type, params, sha256: document.metadata.sha256, computed_at: new Date(), result };
    });
  }

  /** From the stored metadata, before any byte is read: documents stored before a limit was lowered included. */
  private assertWithinLimits(document: DocumentView, type: OperationType, params: Record<string, unknown>) {
    const { width, height, page_count } = document.metadata;
    if (width && height) {
      assertPixelsWithin(width, height, this.env.IMAGE_MAX_PIXELS);
      if (isImageOperation(type)) assertEditFits(type, params, { width, height }, this.env.IMAGE_MAX_OUTPUT_PIXELS);
    }
    if (page_count) assertPagesWithin(page_count, this.env.PDF_MAX_PAGES);
  }

  private cached(
    document: DocumentView,
    type: OperationType,
    identity: Record<string, unknown>,
    compute: () => Promise<unknown>,
  ): Promise<OperationOutcome> {
    return this.cache.aside({
      namespace: operationsNamespace(document.metadata.sha256),
      label: type,
      parts: identity,
      ttlSeconds: RESULT_TTL_SECONDS,
      load: compute,
    });
  }

  private async edit(document: DocumentView, user: AuthUser, type: ImageOperation, params: Record<string, unknown>) {
    // The result's size is known only after the work: a full quota is refused before it.
    await this.documents.assertRoomFor(document.user_id, 1);
    const { data } = await this.documents.readFile(String(document._id), user);
    const output = await this.heavyWork.editImage(owner(user), data, { mime: document.metadata.mime_type, type, params });
    const facts = await this.inspector.inspect(output, owner(user));
    const derived = await this.documents.store(
      { _id: document.collection_id, user_id: document.user_id },
      user,
      `${document.title} (${type})`.slice(0, 200),
      output,
      facts,
      { derived_from: { document_id: document._id, sha256: document.metadata.sha256, operation: type, params } },
    );
    return { document: derived };
  }

  private async extractText(document: DocumentView, user: AuthUser): Promise<ExtractedText> {
    const { data } = await this.documents.readFile(String(document._id), user);
    if (isImage(document.metadata.mime_type)) {
      return { method: 'ocr', ...(await this.heavyWork.recognizeText(owner(user), data)) };
    }
    const { pageCount, pages = [] } = await this.heavyWork.readPdf(owner(user), data, true);
    return {
      method: 'pdf-text-layer',
      text: pages.filter(Boolean).join('\n\n'),
      page_count: pageCount,
      pages: pages.map((text, index) => ({ page: index + 1, text })),
    };
  }

  /** Translates the extracted text (itself served from the cache when it was extracted before). */
  private async translate(document: DocumentView, user: AuthUser, params: TranslateParams) {
    const extracted = await this.cached(document, 'extract_text', { user_id: user.id }, async () => {
      const result = await this.extractText(document, user);
      return { type: 'extract_text', params: {}, sha256: document.metadata.sha256, computed_at: new Date(), result };
    });
    const { result } = JSON.parse(extracted.body.toString()) as { result: ExtractedText };
    const translation = await this.translator.translate(result.text, params.source, params.target);
    return { ...translation, extracted_with: result.method, extracted_chars: result.text.length };
  }
}

/** Heavy work runs in the caller's turn. */
function owner(user: AuthUser): WorkOwner {
  return { userId: user.id };
}
