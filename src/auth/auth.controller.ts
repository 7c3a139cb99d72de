import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { RateLimited } from '../infra/rate-limit/rate-limits';
import { AuthService } from './auth.service';
import type { AuthUser } from './auth-user';
import { CurrentUser } from './current-user.decorator';
import { AccessTokenDto, LoginDto, MeDto, RegisterDto } from './dto/auth.dto';
import { JwtAuthGuard } from './jwt-auth.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @RateLimited('register-ip')
  @ApiOperation({ summary: 'Create an account (always the "user" role)' })
  @ApiCreatedResponse({ type: MeDto })
  @ApiErrors({ 409: 'username or email already exists' })
  register(@Body() body: RegisterDto) {
    return this.auth.register(body);
  }

  @Post('login')
  @HttpCode(200)
  @RateLimited('login-ip', 'login-account')
  @ApiOperation({ summary: 'Exchange username or email + password for an access token (paste it into Authorize)' })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors({ 401: 'invalid credentials (same answer whether or not the account exists)' })
  login(@Body() body: LoginDto): Promise<AccessTokenDto> {
    return this.auth.login(body);
  }

  @Get('me')
  @UseGuards(JwtAuthGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The account behind the access token' })
  @ApiOkResponse({ type: MeDto })
  @ApiErrors(401, { 404: 'the account was deleted after the token was issued' })
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user);
  }
}
