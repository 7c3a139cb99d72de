import type { Model, QueryFilter, SortOrder, Types } from 'mongoose';

/** A stored document as `lean()` reads it. */
export type Stored<T> = T & { _id: Types.ObjectId };

export interface FindOptions {
  sort?: Record<string, SortOrder>;
  skip?: number;
  limit?: number;
  /** MongoDB stops the query past this many ms (a list's or search's cost bound). */
  maxTimeMS?: number;
}

/**
 * The reads a cached resource's service may make outside `write()`. Each answers plain documents,
 * never a Mongoose query (a query can be turned into an update), so nothing here can change
 * MongoDB behind the cache's back. Add a read here when a service needs one; writes go through
 * `write(ids, (model) => …)`.
 */
export class ModelReads<T> {
  readonly #model: Model<T>;

  constructor(model: Model<T>) {
    this.#model = model;
  }

  find(filter: QueryFilter<T>, { sort, skip, limit, maxTimeMS }: FindOptions = {}): Promise<Stored<T>[]> {
    const query = this.#model.find(filter);
    if (sort) query.sort(sort);
    if (skip) query.skip(skip);
    if (limit !== undefined) query.limit(limit);
    if (maxTimeMS !== undefined) query.maxTimeMS(maxTimeMS);
    return query.lean<Stored<T>[]>().exec();
  }

  findOne(filter: QueryFilter<T>): Promise<Stored<T> | null> {
    return this.#model.findOne(filter).lean<Stored<T>>().exec();
  }

  findById(id: string): Promise<Stored<T> | null> {
    return this.#model.findById(id).lean<Stored<T>>().exec();
  }

  count(filter: QueryFilter<T>, { maxTimeMS }: Pick<FindOptions, 'maxTimeMS'> = {}): Promise<number> {
    const query = this.#model.countDocuments(filter);
    if (maxTimeMS !== undefined) query.maxTimeMS(maxTimeMS);
    return query.exec();
  }

  async exists(filter: QueryFilter<T>): Promise<boolean> {
    return (await this.#model.exists(filter)) !== null;
  }
}
