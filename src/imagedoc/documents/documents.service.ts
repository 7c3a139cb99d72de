import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { orNotFound } from '../../common/kit';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import type { Readable } from 'node:stream';
import type { AuthUser } from '../../auth/auth-user';
import { Page, pageWindow, PaginationQuery } from '../../common/pagination';
import { CacheInvalidator, scopedNamespace } from '../../infra/cache';
import { StorageQuota } from '../../users/storage-quota.service';
import { ownedBy } from '../access';
import { CollectionsService, CollectionView } from '../collections/collections.service';
import { FileFacts, FileInspector } from '../files/file-inspector';
import { DerivedFrom, DocFile } from '../schemas/doc-file.schema';
import { FILE_STORAGE, FileStorage, newStorageKey } from '../storage/file-storage';
import type { UploadedFile } from './multipart-upload';

export const OPERATIONS_NS = 'operations';

export type DocumentView = Omit<DocFile, 'storage_key'> & { _id: Types.ObjectId };
type StoredDocument = DocFile & { _id: Types.ObjectId };

/** Operation results are cached per file content; this is the namespace of one file's results. */
export function operationsNamespace(sha256: string): string {
  return scopedNamespace(OPERATIONS_NS, sha256);
}

@Injectable()
export class DocumentsService {
  private readonly logger = new Logger('Documents');

  constructor(
    @InjectModel(DocFile.name) private readonly documents: Model<DocFile>,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly inspector: FileInspector,
    private readonly collections: CollectionsService,
    private readonly cache: CacheInvalidator,
    private readonly quota: StorageQuota,
  ) {}

  /**
   * Inspects an upload (415 when its content is not accepted) and stores it as a new document.
   * An owner without room for it gets 413 before the file is inspected (no heavy work for it).
   */
  async upload(collection: CollectionView, author: AuthUser, title: string, file: UploadedFile): Promise<DocumentView> {
    await this.quota.assertRoomFor(collection.user_id, file.data.length);
    const facts = await this.inspector.inspect(file.data, { userId: author.id }, file);
    return this.store(collection, author, title, file.data, facts, { original_name: file.filename || undefined });
  }

  /**
   * Reserves the bytes in the collection owner's quota (413 when they do not fit), writes the
   * file, then the document, then links it into the collection; if any step fails the earlier
   * ones are undone, so a failed upload leaves neither a file, a document nor a reservation behind.
   */
  async store(
    collection: Pick<CollectionView, '_id' | 'user_id'>,
    author: Pick<AuthUser, 'username'>,
    title: string,
    data: Buffer,
    facts: FileFacts,
    extra: { original_name?: string; derived_from?: DerivedFrom } = {},
  ): Promise<DocumentView> {
    const _id = new Types.ObjectId();
    const storage_key = newStorageKey();
    await this.quota.reserve(collection.user_id, data.length);
    let inserted = false;
    try {
      await this.storage.put(storage_key, data);
      await this.documents.create({
        _id,
        collection_id: collection._id,
        user_id: collection.user_id,
        title,
        file_url: `/documents/${String(_id)}/file`,
        storage_key,
        metadata: {
          author: author.username,
          date: new Date(),
          mime_type: facts.mime_type,
          size: facts.size,
          sha256: facts.sha256,
          width: facts.width,
          height: facts.height,
          page_count: facts.page_count,
          ...extra,
        },
      });
      inserted = true;
      if (!(await this.collections.addDocument(collection._id, _id)))
        throw new NotFoundException(`collection ${String(collection._id)} not found`);
    } catch (error) {
      if (inserted) await this.documents.deleteOne({ _id }).exec();
      await this.storage.delete(storage_key);
      await this.quota.release(collection.user_id, data.length);
      throw error;
    }
    await this.collections.invalidateLists(String(collection.user_id));
    return this.view(_id);
  }

  /** 413 when `owner` has no room for `bytes` more: checked before heavy work whose result will be stored. */
  assertRoomFor(owner: Types.ObjectId, bytes: number): Promise<void> {
    return this.quota.assertRoomFor(owner, bytes);
  }

  /** One collection's documents (the caller's access to it checked before), oldest first. */
  async listIn(collection: Pick<CollectionView, '_id'>, query: PaginationQuery): Promise<Page<DocumentView>> {
    const { page, limit, skip } = pageWindow(query);
    const filter = { collection_id: collection._id };
    const [items, total] = await Promise.all([
      this.documents.find(filter).sort({ _id: 1 }).skip(skip).limit(limit).lean<DocumentView[]>().exec(),
      this.documents.countDocuments(filter).exec(),
    ]);
    return { items, total, page, limit };
  }

  /** The document if the caller may see it, else 404. */
  async get(id: string, user: AuthUser): Promise<DocumentView> {
    return orNotFound(
      await this.documents
        .findOne({ _id: new Types.ObjectId(id), ...ownedBy(user) })
        .lean<DocumentView>()
        .exec(),
      `document ${id}`,
    );
  }

  async openFile(id: string, user: AuthUser): Promise<{ document: DocumentView; stream: Readable }> {
    const document = await this.withKey(id, user);
    return { document, stream: this.storage.stream(document.storage_key) };
  }

  async readFile(id: string, user: AuthUser): Promise<{ document: DocumentView; data: Buffer }> {
    const document = await this.withKey(id, user);
    return { document, data: await this.storage.read(document.storage_key) };
  }

  /** Replaces a document's file (same id, new content); the old content's cached operation results go. */
  async replaceFile(id: string, user: AuthUser, file: UploadedFile): Promise<DocumentView> {
    const current = await this.withKey(id, user);
    await this.quota.assertRoomFor(current.user_id, file.data.length);
    const facts = await this.inspector.inspect(file.data, { userId: user.id }, file);
    const storage_key = newStorageKey();
    // The new file is counted before it is written, the old one released once it is gone.
    await this.quota.reserve(current.user_id, file.data.length);
    const undo = async () => {
      await this.storage.delete(storage_key);
      await this.quota.release(current.user_id, file.data.length);
    };
    await this.storage.put(storage_key, file.data).catch(async (error: unknown) => {
      await undo();
      throw error;
    });
    const update = {
      storage_key,
      'metadata.date': new Date(),
      'metadata.mime_type': facts.mime_type,
      'metadata.size': facts.size,
      'metadata.sha256': facts.sha256,
      'metadata.width': facts.width,
      'metadata.height': facts.height,
      'metadata.page_count': facts.page_count,
      'metadata.original_name': file.filename || undefined,
    };
    const result = await this.documents
      .updateOne({ _id: current._id }, { $set: update })
      .exec()
      .catch(async (error: unknown) => {
        await undo();
        throw error;
      });
    if (result.matchedCount === 0) {
      await undo();
      throw new NotFoundException(`document ${id} not found`);
    }
    await this.storage.delete(current.storage_key);
    await this.quota.release(current.user_id, current.metadata.size);
    await this.forgetResults(current);
    await this.collections.invalidateLists(String(current.user_id));
    return this.view(current._id);
  }

  async remove(id: string, user: AuthUser): Promise<void> {
    const document = await this.withKey(id, user);
    const { deletedCount } = await this.documents.deleteOne({ _id: document._id }).exec();
    // Only the request that deleted it gives its bytes back (two concurrent deletes release once).
    if (deletedCount === 1) await this.quota.release(document.user_id, document.metadata.size);
    await this.collections.removeDocument(document.collection_id, document._id);
    await this.deleteFile(document.storage_key);
    await this.forgetResults(document);
    await this.collections.invalidateLists(String(document.user_id));
  }

  /** Deletes every document of a collection with its file (before the collection itself goes). */
  async removeAllOf(collection: CollectionView): Promise<void> {
    const documents = await this.documents.find({ collection_id: collection._id }).select('+storage_key').lean<StoredDocument[]>().exec();
    await this.documents.deleteMany({ collection_id: collection._id }).exec();
    await this.quota.release(
      collection.user_id,
      documents.reduce((sum, d) => sum + d.metadata.size, 0),
    );
    for (const document of documents) {
      await this.deleteFile(document.storage_key);
      await this.forgetResults(document);
    }
  }

  /**
   * Drops the cached operation results of this content, and those of its source when it was
   * derived (a cached edit result names this document, which no longer exists as it was).
   */
  private async forgetResults(document: Pick<DocFile, 'metadata'>): Promise<void> {
    await this.cache.invalidate(operationsNamespace(document.metadata.sha256));
    const source = document.metadata.derived_from?.sha256;
    if (source) await this.cache.invalidate(operationsNamespace(source));
  }

  private async deleteFile(key: string) {
    // The document is gone already; a file left behind is only wasted space, so log, do not fail.
    await this.storage.delete(key).catch((error: Error) => this.logger.error(`could not delete stored file ${key}: ${error.message}`));
  }

  private async withKey(id: string, user: AuthUser): Promise<StoredDocument> {
    return orNotFound(
      await this.documents
        .findOne({ _id: new Types.ObjectId(id), ...ownedBy(user) })
        .select('+storage_key')
        .lean<StoredDocument>()
        .exec(),
      `document ${id}`,
    );
  }

  private async view(id: Types.ObjectId): Promise<DocumentView> {
    return orNotFound(await this.documents.findById(id).lean<DocumentView>().exec(), `document ${String(id)}`);
  }
}
