import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ROUTE_ACCESS, type RouteAccess } from '../common/kit/access';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { AdminGuard } from './admin.guard';
import { JwtAuthGuard } from './jwt-auth.guard';

/** The admin token or a manager's access token: the guard, the bearer docs and the 401/403 answers in one. */
export const AdminOnly = () =>
  applyDecorators(SetMetadata(ROUTE_ACCESS, 'admin' satisfies RouteAccess), UseGuards(AdminGuard), ApiBearerAuth(), ApiErrors(401, 403));

/** Any logged-in user (sets the caller for `@CurrentUser()` and per-user cache scopes). */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, 'authenticated' satisfies RouteAccess),
    UseGuards(JwtAuthGuard),
    ApiBearerAuth(),
    ApiErrors(401),
  );
