import { Global, Module } from '@nestjs/common';
import { JwtModule, JwtModuleOptions } from '@nestjs/jwt';
import type { StringValue } from 'ms';
import { randomBytes } from 'node:crypto';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { AdminCheck, AuthenticatedCheck } from '../infra/http/route-access';
import { UsersModule } from '../users/users.module';
import { AdminGuard } from './admin.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthTokens } from './auth-tokens.service';
import { JwtAuthGuard } from './jwt-auth.guard';

/**
 * One random secret per process when JWT_SECRET is unset: every app instance in the process shares it.
 * The server warns about it at start (main.ts); CLI commands issue no tokens, so they stay quiet.
 */
let processSecret: string | undefined;

function jwtOptions(env: Env): JwtModuleOptions {
  let secret = env.JWT_SECRET;
  if (!secret) {
    processSecret ??= randomBytes(48).toString('base64url');
    secret = processSecret;
  }
  // Env validation guarantees "<digits>" or "<digits><s|m|h|d>", the forms jsonwebtoken's ms() reads.
  const expiresIn = /^\d+$/.test(env.JWT_EXPIRES_IN) ? Number(env.JWT_EXPIRES_IN) : (env.JWT_EXPIRES_IN as StringValue);
  return {
    secret,
    signOptions: { algorithm: 'HS256', expiresIn },
    verifyOptions: { algorithms: ['HS256'] },
  };
}

/**
 * Accounts, access tokens and the checks behind `@AdminOnly()` and `@Authenticated()`
 * (infra/http/route-access.ts). Global so that those decorators resolve their checks in any feature module.
 */
@Global()
@Module({
  imports: [UsersModule, JwtModule.registerAsync({ inject: [ENV], useFactory: jwtOptions })],
  controllers: [AuthController],
  providers: [
    AuthService,
    AuthTokens,
    AdminGuard,
    JwtAuthGuard,
    { provide: AdminCheck, useExisting: AdminGuard },
    { provide: AuthenticatedCheck, useExisting: JwtAuthGuard },
  ],
  exports: [AuthTokens, AdminGuard, JwtAuthGuard, AdminCheck, AuthenticatedCheck, UsersModule],
})
export class AuthModule {}
