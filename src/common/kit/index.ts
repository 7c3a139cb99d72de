/** The kit for cached resources: see docs/guides/adding-a-cached-resource.md. */
export { AdminOnly, Authenticated, GuardedBy, Public } from './access';
export { CachedCrud, CachedCrudService, type CachedResource, type ListQuery } from './cached-crud.service';
export { collectionOf, documentFeed } from './document-feed';
export { CachedCrudController, type CrudRoutes } from './crud.controller';
export { withInvalidation } from './invalidation';
export { containsText, range, SearchableListQuery, sortSpec } from './list-query';
export { type FindOptions, ModelReads, type Stored } from './model-reads';
export { fromCents, IsMoney, isMoney, MAX_MONEY, toCents } from './money';
export { orNotFound } from './not-found';
