import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidEnvironmentError, type Env } from '../config/env';
import { requireProductionSettings } from '../config/production';

const FILE_NAME = 'jwt-secret';
const MIN_LENGTH = 32;

/**
 * The HMAC secret of users' access tokens. JWT_SECRET when set; in production nothing else (the
 * start refuses without it). Otherwise one secret per runtime folder, generated on first use and
 * kept in RUNTIME_DIR/jwt-secret (0600), so restarts, the CLI and every instance started on that
 * folder sign and verify with the same one.
 */
export function jwtSecret(env: Pick<Env, 'JWT_SECRET' | 'RUNTIME_DIR' | 'NODE_ENV'>): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  requireProductionSettings(env); // throws in production, where JWT_SECRET is required
  return localSecret(resolve(env.RUNTIME_DIR));
}

function localSecret(dir: string): string {
  const file = join(dir, FILE_NAME);
  const existing = readSecret(file);
  if (existing !== undefined) return existing;

  // Written whole under a private name, then linked into place: link never replaces a file, so
  // instances starting at once all end up reading the one that got there first, and none ever
  // reads a half-written file.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const draft = join(dir, `.${FILE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(draft, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    new Logger('Auth').log(`generated the access-token secret in ${file} (set JWT_SECRET to use your own)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const secret = readSecret(file);
  if (secret === undefined) throw new Error(`${file} vanished while it was being created`);
  return secret;
}

function readSecret(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < MIN_LENGTH) {
    throw new InvalidEnvironmentError(
      `Invalid configuration:\n  ${file} holds no usable secret (under ${MIN_LENGTH} characters): delete it to generate a new one, or set JWT_SECRET`,
    );
  }
  return secret;
}
