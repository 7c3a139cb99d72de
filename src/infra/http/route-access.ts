import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, Type, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiErrors } from './api-errors.decorator';

/**
 * Who may call a route, declared once on the route (or its controller), with one of the four
 * decorators below. A route that declares none stops the app at start (see route-access-check.ts).
 * The L1 fast path reads this too: it answers from memory, before any guard, only routes declared
 * public (see L1FastPath).
 */
export const ROUTE_ACCESS = 'cachebook:access';

export type RouteAccess = 'public' | 'admin' | 'authenticated' | 'custom';

/** Anyone may call this route: no token is read, so its cached answers may skip the Nest pipeline. */
export const Public = () => SetMetadata(ROUTE_ACCESS, 'public' satisfies RouteAccess);

/** Route-specific guards (e.g. one that only marks the request): such a route is never served before they run. */
export const GuardedBy = (...guards: Type<CanActivate>[]) =>
  applyDecorators(SetMetadata(ROUTE_ACCESS, 'custom' satisfies RouteAccess), UseGuards(...guards));

/**
 * The checks behind `@AdminOnly()` and `@Authenticated()`. This layer knows no accounts or tokens:
 * the auth module provides them (`{ provide: AdminCheck, useExisting: AdminGuard }`), and an app
 * without it fails at start, naming the missing provider.
 */
export abstract class AdminCheck implements CanActivate {
  abstract canActivate(context: ExecutionContext): Promise<boolean>;
}
export abstract class AuthenticatedCheck implements CanActivate {
  abstract canActivate(context: ExecutionContext): Promise<boolean>;
}

/** Nest instantiates a route's guard classes itself, so each check is reached through a guard that injects it. */
@Injectable()
class AdminOnlyGuard implements CanActivate {
  constructor(private readonly check: AdminCheck) {}
  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.check.canActivate(context);
  }
}

@Injectable()
class AuthenticatedGuard implements CanActivate {
  constructor(private readonly check: AuthenticatedCheck) {}
  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.check.canActivate(context);
  }
}

/** The admin token or a manager's access token: the guard, the bearer docs and the 401/403 answers in one. */
export const AdminOnly = () =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, 'admin' satisfies RouteAccess),
    UseGuards(AdminOnlyGuard),
    ApiBearerAuth(),
    ApiErrors(401, 403),
  );

/** Any logged-in user (sets the caller for `@CurrentUser()` and per-user cache scopes). */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, 'authenticated' satisfies RouteAccess),
    UseGuards(AuthenticatedGuard),
    ApiBearerAuth(),
    ApiErrors(401),
  );
