import type { FastifyRequest } from 'fastify';
import type { UserRole } from '../users/schemas/user.schema';

/** The caller, as proven by a verified access token (set on the request by the guards). */
export interface AuthUser {
  id: string;
  username: string;
  role: UserRole;
}

/** Claims inside an access token; `sub` is the user id. */
export interface AccessTokenClaims {
  sub: string;
  username: string;
  /** The role at login, for clients to read; authorization reads the current one (AuthTokens.authenticate). */
  role: UserRole;
  /** The account's token_version at login; tokens issued before a revocation no longer match. */
  ver?: number;
}

type RequestWithUser = FastifyRequest & { user?: AuthUser };

export function requestUser(request: FastifyRequest): AuthUser | undefined {
  return (request as RequestWithUser).user;
}

export function setRequestUser(request: FastifyRequest, user: AuthUser): void {
  (request as RequestWithUser).user = user;
}
