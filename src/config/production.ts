import { InvalidEnvironmentError, type Env } from './env';

export const isProduction = (env: Pick<Env, 'NODE_ENV'>): boolean => env.NODE_ENV === 'production';

/**
 * With NODE_ENV=production, what a deployment cannot do without, checked before anything starts.
 * JWT_SECRET: a generated secret lives in one runtime folder, so tokens would fail on any other
 * instance or container, and die with the folder. (The server also needs a way to administer it,
 * checked once MongoDB is reachable: see auth/admin-access.ts.)
 */
export function requireProductionSettings(env: Pick<Env, 'NODE_ENV' | 'JWT_SECRET'>): void {
  if (!isProduction(env) || env.JWT_SECRET) return;
  throw new InvalidEnvironmentError(
    'Invalid configuration:\n  JWT_SECRET is required when NODE_ENV=production: 32+ random characters, the same on every instance ' +
      '(e.g. openssl rand -base64 48)',
  );
}
