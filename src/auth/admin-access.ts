import { InvalidEnvironmentError, type Env } from '../config/env';
import { isProduction } from '../config/production';
import type { UsersService } from '../users/users.service';

/**
 * With NODE_ENV=production the server refuses to start when nobody could use the admin routes:
 * no ADMIN_TOKEN and no manager account. Either one is enough, so a deployment that keeps no
 * long-lived shared token (managers log in, their tokens expire and can be revoked) is not forced
 * to hold one; the first manager comes from the CLI, which needs no running server.
 */
export async function requireAdminAccess(env: Pick<Env, 'NODE_ENV' | 'ADMIN_TOKEN'>, users: UsersService): Promise<void> {
  if (!isProduction(env) || env.ADMIN_TOKEN || (await users.hasManager())) return;
  throw new InvalidEnvironmentError(
    'Invalid configuration:\n  ADMIN_TOKEN is unset and the database has no manager account, so nobody could use the admin routes ' +
      'when NODE_ENV=production: set ADMIN_TOKEN (16+ characters), or create a manager first: ' +
      'node dist/cli.js users create-manager --username <name> --email <address>',
  );
}
