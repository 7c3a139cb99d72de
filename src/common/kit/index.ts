/** The kit for cached resources: see README, "Adding a cached resource". */
export { GuardedBy, Public } from './access';
export { CachedCrud, CachedCrudService, type CachedResource, type ListQuery, type Stored } from './cached-crud.service';
export { CachedCrudController, type CrudRoutes } from './crud.controller';
export { withInvalidation } from './invalidation';
export { containsText, range, SearchableListQuery, sortSpec } from './list-query';
export { fromCents, IsMoney, isMoney, MAX_MONEY, toCents } from './money';
export { orNotFound } from './not-found';
