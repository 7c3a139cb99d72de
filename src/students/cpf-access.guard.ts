import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { bearerToken, isAdminToken } from '../auth/admin.guard';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PUBLIC_SCOPE } from './students.cache';

const FULL_CPF = Symbol('fullCpf');
type MarkedRequest = FastifyRequest & { [FULL_CPF]?: boolean };

/**
 * Decides, once per request and before the cache interceptor runs, whether the caller may see
 * whole CPFs. Today: the admin token. SEAM: when the auth module's JWT users with roles land,
 * add the manager check here (e.g. `|| request.user?.roles.includes('manager')`); nothing else changes.
 * Never rejects: it only marks the request.
 */
@Injectable()
export class CpfAccessGuard implements CanActivate {
  constructor(@Inject(ENV) private readonly env: Env) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<MarkedRequest>();
    request[FULL_CPF] = isAdminToken(bearerToken(request), this.env.ADMIN_TOKEN);
    return true;
  }
}

export function seesFullCpf(request: FastifyRequest): boolean {
  return (request as MarkedRequest)[FULL_CPF] === true;
}

/** `@Cached` scope: full-CPF viewers bypass the cache; everyone else shares the masked copy. */
export function maskedViewScope(request: FastifyRequest): string | undefined {
  return seesFullCpf(request) ? undefined : PUBLIC_SCOPE;
}

/** Handler parameter: true when the caller may see whole CPFs. */
export const FullCpf = createParamDecorator((_: unknown, context: ExecutionContext) =>
  seesFullCpf(context.switchToHttp().getRequest<FastifyRequest>()),
);
