import { applyDecorators, CanActivate, SetMetadata, Type, UseGuards } from '@nestjs/common';

/**
 * Who may call a route, declared once on the route (or its controller): `@Public()` here,
 * `@AdminOnly()` and `@Authenticated()` in auth/access.ts. The L1 fast path reads this too: it
 * answers from memory, before any guard, only routes declared public (see L1FastPath).
 */
export const ROUTE_ACCESS = 'cachebook:access';

export type RouteAccess = 'public' | 'admin' | 'authenticated' | 'custom';

/** Anyone may call this route: no token is read, so its cached answers may skip the Nest pipeline. */
export const Public = () => SetMetadata(ROUTE_ACCESS, 'public' satisfies RouteAccess);

/** Route-specific guards (e.g. one that only marks the request): such a route is never served before they run. */
export const GuardedBy = (...guards: Type<CanActivate>[]) =>
  applyDecorators(SetMetadata(ROUTE_ACCESS, 'custom' satisfies RouteAccess), UseGuards(...guards));
