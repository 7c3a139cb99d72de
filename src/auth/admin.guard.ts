import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Env } from '../config/env';

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

/** Admin routes: the configured ADMIN_TOKEN bearer. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly config: ConfigService<Env, true>) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedException('a bearer token is required');
    if (!isAdminToken(token, this.config.get('ADMIN_TOKEN', { infer: true }))) {
      throw new ForbiddenException('this route needs the admin token');
    }
    return true;
  }
}
