import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { RateLimited } from '../infra/rate-limit/rate-limits';
import { AuthService } from './auth.service';
import type { AuthUser } from './auth-user';
import { CurrentUser } from './current-user.decorator';
import { AccessTokenDto, LoginDto, MeDto, RegisterDto, RegistrationAcceptedDto } from './dto/auth.dto';
import { Authenticated } from './access';
import { Public } from '../common/kit/access';
import { ApiTag } from '../infra/http/api-tag';

@ApiTag('auth', 'Accounts and access tokens (login, then Authorize with the token)')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Public()
  @HttpCode(202)
  @RateLimited('register-ip')
  @ApiOperation({
    summary: 'Create an account (always the "user" role)',
    description:
      'The same 202 whether the account was created or the username/email was taken, so it reveals no accounts; log in to check.',
  })
  @ApiErrors({ 503: 'too many password checks in progress; retry after Retry-After' })
  @ApiAcceptedResponse({ type: RegistrationAcceptedDto })
  register(@Body() body: RegisterDto, @Ip() address: string): Promise<RegistrationAcceptedDto> {
    return this.auth.register(body, address);
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @RateLimited('login-ip')
  @ApiOperation({
    summary: 'Exchange username or email + password for an access token (paste it into Authorize)',
    description:
      'Send `username` or `email`, and `password`. The token lasts JWT_EXPIRES_IN (1 h by default): in Swagger UI put it into Authorize; elsewhere send `Authorization: Bearer <token>`. ' +
      'A wrong password and an unknown account get the same 401. Failed logins are limited per address and per account (429 with Retry-After); ' +
      'addresses that logged in to the account recently are not held back by failures from elsewhere (see docs/limits.md).',
  })
  @ApiErrors({ 503: 'too many password checks in progress; retry after Retry-After' })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors({ 401: 'invalid credentials (same answer whether or not the account exists)' })
  login(@Body() body: LoginDto, @Ip() address: string): Promise<AccessTokenDto> {
    return this.auth.login(body, address);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({
    summary: 'The account behind the access token',
    description:
      'Who the token belongs to. 401 when the token is missing, expired, revoked (`users revoke-tokens`) or its account was deleted.',
  })
  @ApiOkResponse({ type: MeDto })
  @ApiErrors({ 404: 'the account was deleted after the token was issued' })
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user);
  }
}
