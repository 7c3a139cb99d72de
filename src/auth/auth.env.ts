import { IsOptional, IsString, Matches, MinLength } from 'class-validator';

/** Accounts and access: the admin token and the users' JWTs (src/auth). */
export class AuthEnv {
  /** Bearer token for automation and the admin routes; unset disables token access. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  /**
   * HMAC secret for the users' JWT access tokens (HS256), 32+ characters. Unset: one generated on the
   * first start and kept in RUNTIME_DIR/jwt-secret, shared by every instance on that folder
   * (auth/jwt-secret.ts); required when NODE_ENV=production.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Lifetime of an access token: seconds, or a number with s/m/h/d (e.g. 15m, 1h). */
  @Matches(/^\d+[smhd]?$/, { message: 'JWT_EXPIRES_IN must be seconds or a number followed by s, m, h or d' })
  JWT_EXPIRES_IN: string = '1h';
}
