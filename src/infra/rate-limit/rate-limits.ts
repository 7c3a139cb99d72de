import { applyDecorators, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { ThrottlerOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { Env } from '../../config/env';
import { RateLimitGuard } from './rate-limit.guard';

/**
 * The limits a route can opt into with `@RateLimited(...)`; each counts per window per tracker.
 * (The per-account login limit needs the account, so it lives with the login: auth/login-throttle.ts.)
 */
export type RateLimitName = 'login-ip' | 'register-ip' | 'operations-user' | 'uploads-user';

const RATE_LIMITS = Symbol('RATE_LIMITS');

/** Declares, at the route, which limits apply to it (429 + Retry-After past any of them). */
export function RateLimited(...names: RateLimitName[]) {
  return applyDecorators(
    SetMetadata(RATE_LIMITS, names),
    UseGuards(RateLimitGuard),
    ApiTooManyRequestsResponse({ description: 'rate limit reached; `Retry-After` says when to come back' }),
  );
}

const ip = (request: FastifyRequest) => request.ip;
/** Set by JwtAuthGuard, which runs first (class guards before route guards). */
const userId = (request: FastifyRequest) => String((request as FastifyRequest & { user?: { id: string } }).user?.id ?? request.ip);

/** The throttlers, from env; a limit of 0 turns one off. */
export function throttlers(env: Env): ThrottlerOptions[] {
  const ttl = env.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const limits: [RateLimitName, number, (request: FastifyRequest) => string][] = [
    ['login-ip', env.RATE_LIMIT_LOGIN_PER_IP, ip],
    ['register-ip', env.RATE_LIMIT_REGISTER_PER_IP, ip],
    ['operations-user', env.RATE_LIMIT_OPERATIONS_PER_USER, userId],
    ['uploads-user', env.RATE_LIMIT_UPLOADS_PER_USER, userId],
  ];
  return limits.map(([name, limit, tracker]) => ({
    name,
    limit,
    ttl,
    blockDuration: ttl,
    getTracker: (request: Record<string, unknown>) => tracker(request as unknown as FastifyRequest),
    skipIf: (context: ExecutionContext) => limit === 0 || !declaredLimits(context).includes(name),
  }));
}

function declaredLimits(context: ExecutionContext): RateLimitName[] {
  return (Reflect.getMetadata(RATE_LIMITS, context.getHandler()) as RateLimitName[] | undefined) ?? [];
}
