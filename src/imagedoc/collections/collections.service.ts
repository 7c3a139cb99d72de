import { Injectable } from '@nestjs/common';
import { orNotFound } from '../../common/kit';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import type { AuthUser } from '../../auth/auth-user';
import { Page, pageWindow, PaginationQuery } from '../../common/pagination';
import { scopedNamespace } from '../../infra/cache';
import { CacheInvalidator } from '../../infra/cache';
import { MANAGER_SCOPE, ownedBy } from '../access';
import type { CreateCollectionDto, UpdateCollectionDto } from '../dto/collection.dto';
import { DocCollection } from '../schemas/doc-collection.schema';

export const COLLECTIONS_NS = 'collections';

export type CollectionView = DocCollection & { _id: Types.ObjectId };

@Injectable()
export class CollectionsService {
  constructor(
    @InjectModel(DocCollection.name) private readonly collections: Model<DocCollection>,
    private readonly cache: CacheInvalidator,
  ) {}

  async list(user: AuthUser, query: PaginationQuery): Promise<Page<CollectionView>> {
    const { page, limit, skip } = pageWindow(query);
    const filter = ownedBy(user);
    const [items, total] = await Promise.all([
      this.collections.find(filter).sort({ created_at: -1, _id: -1 }).skip(skip).limit(limit).lean<CollectionView[]>().exec(),
      this.collections.countDocuments(filter).exec(),
    ]);
    return { items, total, page, limit };
  }

  /** The collection if the caller may see it, else 404. */
  async get(id: string, user: AuthUser): Promise<CollectionView> {
    return orNotFound(
      await this.collections
        .findOne({ _id: new Types.ObjectId(id), ...ownedBy(user) })
        .lean<CollectionView>()
        .exec(),
      `collection ${id}`,
    );
  }

  async create(user: AuthUser, input: CreateCollectionDto): Promise<CollectionView> {
    const created = await this.collections.create({
      user_id: new Types.ObjectId(user.id),
      title: input.title,
      description: input.description ?? '',
    });
    await this.invalidateLists(user.id);
    return created.toObject() as CollectionView;
  }

  async update(id: string, user: AuthUser, input: UpdateCollectionDto): Promise<CollectionView> {
    const updated = orNotFound(
      await this.collections
        .findOneAndUpdate({ _id: new Types.ObjectId(id), ...ownedBy(user) }, { $set: input }, { returnDocument: 'after' })
        .lean<CollectionView>()
        .exec(),
      `collection ${id}`,
    );
    await this.invalidateLists(String(updated.user_id));
    return updated;
  }

  /** Removes the collection record; the documents service removes its documents and files first. */
  async remove(collection: CollectionView): Promise<void> {
    await this.collections.deleteOne({ _id: collection._id }).exec();
    await this.invalidateLists(String(collection.user_id));
  }

  async addDocument(collectionId: Types.ObjectId, documentId: Types.ObjectId): Promise<boolean> {
    const result = await this.collections.updateOne({ _id: collectionId }, { $addToSet: { documents: documentId } }).exec();
    return result.matchedCount === 1;
  }

  async removeDocument(collectionId: Types.ObjectId, documentId: Types.ObjectId): Promise<void> {
    await this.collections.updateOne({ _id: collectionId }, { $pull: { documents: documentId } }).exec();
  }

  /** The owner's cached lists and the managers' all-users list both show this owner's collections. */
  invalidateLists(ownerId: string): Promise<unknown> {
    return Promise.all([
      this.cache.invalidate(scopedNamespace(COLLECTIONS_NS, ownerId)),
      this.cache.invalidate(scopedNamespace(COLLECTIONS_NS, MANAGER_SCOPE)),
    ]);
  }
}
