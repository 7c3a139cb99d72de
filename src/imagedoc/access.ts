import { Types } from 'mongoose';
import type { AuthUser } from '../auth/auth-user';
import { requestUser } from '../auth/auth-user';
import type { FastifyRequest } from 'fastify';

/**
 * What a caller may see: their own resources; a manager sees everyone's. Applied inside the query,
 * so another user's resource is simply not found (404, no hint that it exists).
 */
export function ownedBy(user: AuthUser): { user_id?: Types.ObjectId } {
  return user.role === 'manager' ? {} : { user_id: new Types.ObjectId(user.id) };
}

/** Cache scope of GET /collections: one namespace per user, one shared by managers (who list all). */
export const MANAGER_SCOPE = 'all';

export function collectionsScope(request: FastifyRequest): string | undefined {
  const user = requestUser(request);
  if (!user) return undefined;
  return user.role === 'manager' ? MANAGER_SCOPE : user.id;
}
