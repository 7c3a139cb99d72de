import { IsOptional, IsString, Matches, MinLength } from 'class-validator';

/** Accounts and access: the admin token and the users' JWTs (src/auth). */
export class AuthEnv {
  /** Bearer token for automation and the admin routes; unset disables token access. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  /**
   * HMAC secret for the users' JWT access tokens (HS256). Unset: a random secret is generated per
   * process and a warning is logged, so tokens die with the process and are not shared between
   * instances; set it (32+ characters) for any deployment with more than one instance or restarts.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** Lifetime of an access token: seconds, or a number with s/m/h/d (e.g. 15m, 1h). */
  @Matches(/^\d+[smhd]?$/, { message: 'JWT_EXPIRES_IN must be seconds or a number followed by s, m, h or d' })
  JWT_EXPIRES_IN: string = '1h';
}
