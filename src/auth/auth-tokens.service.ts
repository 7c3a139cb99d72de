import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { USER_ROLES } from '../users/schemas/user.schema';
import { PublicUser, UsersService } from '../users/users.service';
import type { AccessTokenClaims, AuthUser } from './auth-user';

/** Issues and checks access tokens (HS256 JWTs signed with JWT_SECRET). */
@Injectable()
export class AuthTokens {
  constructor(
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  issue(user: Pick<PublicUser, '_id' | 'username' | 'role'> & { token_version?: number }): string {
    const claims: AccessTokenClaims = { sub: String(user._id), username: user.username, role: user.role, ver: user.token_version ?? 0 };
    return this.jwt.sign(claims);
  }

  /**
   * The caller behind a token, as the source of truth says now: 401 for a bad token, a deleted
   * account or a revoked token; the role is the account's current one, not the token's, so a
   * demotion applies to the next request.
   */
  async authenticate(token: string): Promise<AuthUser> {
    const user = this.verify(token);
    const record = await this.users.authRecord(user.id);
    if (!record) throw new UnauthorizedException('this account no longer exists');
    if (record.token_version !== user.version) throw new UnauthorizedException('the access token was revoked; log in again');
    return { id: user.id, username: user.username, role: record.role };
  }

  /** The token's claims; 401 for anything that is not a well-formed, unexpired token signed by us. */
  private verify(token: string): AuthUser & { version: number } {
    let claims: Partial<AccessTokenClaims>;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token, { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as { name?: string }).name === 'TokenExpiredError';
      throw new UnauthorizedException(expired ? 'the access token has expired' : 'the access token is invalid');
    }
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.username !== 'string' ||
      !USER_ROLES.includes(claims.role as never) ||
      (claims.ver !== undefined && !Number.isInteger(claims.ver))
    ) {
      throw new UnauthorizedException('the access token is invalid');
    }
    return { id: claims.sub, username: claims.username, role: claims.role!, version: claims.ver ?? 0 };
  }
}
