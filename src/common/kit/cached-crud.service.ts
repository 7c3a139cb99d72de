import { BadRequestException, Inject, type Type } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, QueryFilter } from 'mongoose';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { CacheInvalidator } from '../../infra/cache';
import { Page, pageWindow, PaginationQuery } from '../pagination';
import { SearchGate } from '../search-gate';
import { withInvalidation, WrittenIds } from './invalidation';
import { sortSpec } from './list-query';
import { ModelReads, type Stored } from './model-reads';
import { orNotFound } from './not-found';

export type { Stored } from './model-reads';

/** What every list query has: `?page=&limit=` and an optional `?sort=`. */
export type ListQuery = PaginationQuery & { sort?: string };

/** What a cached resource is: its cache namespace and how its API shapes map to stored documents. */
export interface CachedResource<TSchema, TView, TCreate, TUpdate> {
  /** Cache namespace: keys `<ns>:id:<id>`, `<ns>:list` and `<ns>:list:<sha1>`; the same one its `@Cached` routes use. */
  namespace: string;
  /** Singular, for messages: "game 665f… not found". */
  noun: string;
  toView(doc: Stored<TSchema>): TView;
  /** A whole document (POST, PUT). */
  toDocument(dto: TCreate): Partial<TSchema>;
  /** Only the fields given (PATCH). */
  toChanges(dto: TUpdate): Partial<TSchema>;
  /** API sort names → stored fields where they differ (`price` → `price_cents`). */
  sortColumns?: Record<string, string>;
}

/**
 * CRUD over one Mongoose model whose writes invalidate by construction: the model is reachable only
 * inside `write(ids, (model) => …)`, which runs the write and then drops the written ids and every
 * list from both cache tiers (`withInvalidation`). Outside it, a subclass reads through `reads`,
 * which answers plain documents only; so a write that skips invalidation does not compile.
 * A subclass supplies the list filter. Reads are plain: the routes' `@Cached` serves them from the cache.
 */
export abstract class CachedCrudService<TSchema, TView, TQuery extends ListQuery, TCreate, TUpdate> {
  /** An ES private field, not `private`: TypeScript lets `this['model']` reach a `private` member. */
  readonly #model: Model<TSchema>;
  /** Reads outside `write()`: `this.reads.find(filter, { sort, limit })`, `findById`, `count`, … */
  protected readonly reads: ModelReads<TSchema>;

  protected constructor(
    model: Model<TSchema>,
    private readonly cache: CacheInvalidator,
    protected readonly resource: CachedResource<TSchema, TView, TCreate, TUpdate>,
    private readonly searches: SearchGate,
  ) {
    this.#model = model;
    this.reads = new ModelReads(model);
  }

  /** The MongoDB filter for a validated list query; build it from typed fields only, never by spreading input. */
  protected abstract filter(query: TQuery): QueryFilter<TSchema>;

  /**
   * Every list query runs with maxTimeMS; a text search (a `$regex` in the filter, from
   * `containsText`) also goes through the search gate: its cost grows with the collection.
   */
  async list(query: TQuery): Promise<Page<TView>> {
    const filter = this.filter(query);
    const { page, limit, skip } = pageWindow(query);
    const maxTimeMS = this.searches.maxTimeMs;
    const read = async (): Promise<Page<TView>> => {
      const [items, total] = await Promise.all([
        this.reads.find(filter, { sort: sortSpec(query.sort, this.resource.sortColumns), skip, limit, maxTimeMS }),
        this.reads.count(filter, { maxTimeMS }),
      ]);
      return { items: items.map((doc) => this.resource.toView(doc)), total, page, limit };
    };
    return isTextSearch(filter) ? this.searches.run(read) : this.searches.bounded(read);
  }

  async get(id: string): Promise<TView> {
    return this.viewOf(await this.reads.findById(id), id);
  }

  /** A duplicate on a unique index fails here; the global filter answers 409. */
  create(dto: TCreate): Promise<TView> {
    return this.write(
      (view) => [String((view as { _id?: unknown })._id)],
      async (model) => this.resource.toView((await model.create(this.resource.toDocument(dto))).toObject() as Stored<TSchema>),
    );
  }

  /** PUT: every field replaced. */
  replace(id: string, dto: TCreate): Promise<TView> {
    return this.write([id], async (model) =>
      this.viewOf(
        await model
          .findOneAndReplace({ _id: id } as QueryFilter<TSchema>, this.resource.toDocument(dto), {
            returnDocument: 'after',
            runValidators: true,
          })
          .lean<Stored<TSchema>>(),
        id,
      ),
    );
  }

  /** PATCH: only the fields given; an empty change is a 400. */
  async update(id: string, dto: TUpdate): Promise<TView> {
    const changes = this.resource.toChanges(dto);
    if (Object.keys(changes).length === 0) throw new BadRequestException('the body must contain at least one field to change');
    return this.write([id], async (model) =>
      this.viewOf(
        await model.findByIdAndUpdate(id, { $set: changes }, { returnDocument: 'after', runValidators: true }).lean<Stored<TSchema>>(),
        id,
      ),
    );
  }

  /** DELETE: answers the deleted document. */
  remove(id: string): Promise<TView> {
    return this.write([id], async (model) => this.viewOf(await model.findByIdAndDelete(id).lean<Stored<TSchema>>(), id));
  }

  /**
   * Any write to this resource: `run` gets the model, then `ids` (known before, or read from the
   * result) and every list of the namespace are invalidated, also when `run` throws.
   */
  protected write<T>(ids: WrittenIds<T>, run: (model: Model<TSchema>) => Promise<T>): Promise<T> {
    return withInvalidation(this.cache, this.resource.namespace, ids, () => run(this.#model));
  }

  /** The API view of a stored document, or a 404 naming the resource and the id ("demo item 665f… not found"). */
  protected viewOf(doc: Stored<TSchema> | null, id: string): TView {
    return this.resource.toView(orNotFound(doc, `${this.resource.noun} ${id}`));
  }
}

/**
 * The base class of a cached resource's service, wired for Nest: `class GamesService extends
 * CachedCrud(Game, { namespace, noun, toView, ... }) { protected filter(query: GameListQuery) {...} }`.
 * The resource stays on the class (`GamesService.resource`), where CachedCrudController reads it.
 */
export function CachedCrud<TSchema, TView, TCreate, TUpdate>(
  schema: Type<TSchema>,
  resource: CachedResource<TSchema, TView, TCreate, TUpdate>,
) {
  abstract class CachedCrudBase extends CachedCrudService<TSchema, TView, ListQuery, TCreate, TUpdate> {
    static readonly resource = resource;

    constructor(@InjectModel(schema.name) model: Model<TSchema>, cache: CacheInvalidator, @Inject(ENV) env: Env) {
      super(model, cache, resource, SearchGate.for(env));
    }
  }
  return CachedCrudBase;
}

/** True when a filter holds a `$regex` condition at its top level (what `containsText` builds). */
function isTextSearch(filter: object): boolean {
  return Object.values(filter).some((condition) => typeof condition === 'object' && condition !== null && '$regex' in condition);
}
