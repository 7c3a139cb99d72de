import { Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { StorageQuota, StorageUsage } from '../users/storage-quota.service';
import { PublicUser, UsersService } from '../users/users.service';
import { AuthTokens } from './auth-tokens.service';
import type { AuthUser } from './auth-user';
import { REGISTRATION_ACCEPTED } from './dto/auth.dto';
import type { AccessTokenDto, LoginDto, RegisterDto, RegistrationAcceptedDto } from './dto/auth.dto';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AuthTokens,
    private readonly quota: StorageQuota,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * Always a regular user: the manager role comes from the CLI only. The answer is the same
   * whether the account was created or the username or email was taken (the password is hashed
   * either way, so the timing matches too): registration does not reveal which accounts exist.
   * The client learns the outcome by logging in.
   */
  async register(input: RegisterDto): Promise<RegistrationAcceptedDto> {
    try {
      await this.users.create({ username: input.username, email: input.email, password: input.password, role: 'user' });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 11000) throw error;
    }
    return { message: REGISTRATION_ACCEPTED };
  }

  /** One answer for an unknown account and a wrong password, so logins do not reveal which accounts exist. */
  async login(input: LoginDto): Promise<AccessTokenDto> {
    const user = await this.users.verifyCredentials({ username: input.username, email: input.email }, input.password);
    if (!user) throw new UnauthorizedException('invalid credentials');
    return { access_token: this.tokens.issue(user), token_type: 'Bearer', expires_in: this.env.JWT_EXPIRES_IN };
  }

  /** The account, with its stored bytes against STORAGE_QUOTA_BYTES. */
  async me(caller: AuthUser): Promise<PublicUser & { storage: StorageUsage }> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFoundException('this account no longer exists');
    return { ...user, storage: await this.quota.usage(user._id) };
  }
}
