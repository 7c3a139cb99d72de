import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { bearerToken } from './admin.guard';
import { AuthTokens } from './auth-tokens.service';
import { setRequestUser } from './auth-user';

/**
 * Any logged-in user (a valid access token); sets the caller for `@CurrentUser()` and for cache
 * scopes, which run after guards. The ADMIN_TOKEN is not a user, so it does not pass here.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly tokens: AuthTokens) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedException('a bearer token is required');
    setRequestUser(request, await this.tokens.authenticate(token));
    return true;
  }
}
