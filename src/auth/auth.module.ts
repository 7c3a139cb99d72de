import { Global, Module } from '@nestjs/common';
import { JwtModule, JwtModuleOptions } from '@nestjs/jwt';
import type { StringValue } from 'ms';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { AdminCheck, AuthenticatedCheck } from '../infra/http/route-access';
import { UsersModule } from '../users/users.module';
import { AdminGuard } from './admin.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthTokens } from './auth-tokens.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { jwtSecret } from './jwt-secret';
import { LoginThrottle } from './login-throttle';

function jwtOptions(env: Env): JwtModuleOptions {
  // Env validation guarantees "<digits>" or "<digits><s|m|h|d>", the forms jsonwebtoken's ms() reads.
  const expiresIn = /^\d+$/.test(env.JWT_EXPIRES_IN) ? Number(env.JWT_EXPIRES_IN) : (env.JWT_EXPIRES_IN as StringValue);
  return {
    secret: jwtSecret(env),
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
    LoginThrottle,
    { provide: AdminCheck, useExisting: AdminGuard },
    { provide: AuthenticatedCheck, useExisting: JwtAuthGuard },
  ],
  exports: [AuthTokens, AdminGuard, JwtAuthGuard, AdminCheck, AuthenticatedCheck, UsersModule],
})
export class AuthModule {}
