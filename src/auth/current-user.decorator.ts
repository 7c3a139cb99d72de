import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthUser, requestUser } from './auth-user';

/** The authenticated caller (use behind JwtAuthGuard). */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser => {
  const user = requestUser(context.switchToHttp().getRequest<FastifyRequest>());
  if (!user) throw new UnauthorizedException('a bearer token is required');
  return user;
});
