import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { AuthTokens } from './auth-tokens.service';
import { setRequestUser } from './auth-user';

/** Bearer token from the Authorization header, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

export function isAdminToken(token: string | undefined, adminToken: string | undefined): boolean {
  if (!token || !adminToken) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(adminToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Write and admin routes: the configured ADMIN_TOKEN bearer (automation) or the access token of a
 * manager. No, malformed, expired or tampered token → 401; a valid token of a regular user → 403.
 * The role is the account's current one (AuthTokens.authenticate), so a demotion applies to the next request.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly tokens: AuthTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedException('a bearer token is required');
    if (isAdminToken(token, this.env.ADMIN_TOKEN)) return true;
    const user = await this.tokens.authenticate(token);
    if (user.role !== 'manager') throw new ForbiddenException('this route needs a manager (or the admin token)');
    setRequestUser(request, user);
    return true;
  }
}
