/** The access vocabulary lives in infra/http/route-access.ts, below every feature; the kit re-exports it. */
export { AdminOnly, Authenticated, GuardedBy, Public, ROUTE_ACCESS, type RouteAccess } from '../../infra/http/route-access';
