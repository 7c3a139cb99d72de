import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { USER_ROLES } from '../users/schemas/user.schema';
import type { PublicUser } from '../users/users.service';
import type { AccessTokenClaims, AuthUser } from './auth-user';

/** Issues and checks access tokens (HS256 JWTs signed with JWT_SECRET). */
@Injectable()
export class AuthTokens {
  constructor(private readonly jwt: JwtService) {}

  issue(user: Pick<PublicUser, '_id' | 'username' | 'role'>): string {
    const claims: AccessTokenClaims = { sub: String(user._id), username: user.username, role: user.role };
    return this.jwt.sign(claims);
  }

  /** The token's user; 401 for anything that is not a well-formed, unexpired token signed by us. */
  verify(token: string): AuthUser {
    let claims: Partial<AccessTokenClaims>;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token, { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as { name?: string }).name === 'TokenExpiredError';
      throw new UnauthorizedException(expired ? 'the access token has expired' : 'the access token is invalid');
    }
    if (typeof claims.sub !== 'string' || typeof claims.username !== 'string' || !USER_ROLES.includes(claims.role as never)) {
      throw new UnauthorizedException('the access token is invalid');
    }
    return { id: claims.sub, username: claims.username, role: claims.role! };
  }
}
