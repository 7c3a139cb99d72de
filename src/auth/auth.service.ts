import { Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { FairShares, type ShareClaim } from '../common/fair-share';
import { RetryLaterException } from '../common/retry-later.exception';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { StorageQuota, StorageUsage } from '../users/storage-quota.service';
import { PublicUser, UsersService } from '../users/users.service';
import { AuthTokens } from './auth-tokens.service';
import type { AuthUser } from './auth-user';
import { REGISTRATION_ACCEPTED } from './dto/auth.dto';
import type { AccessTokenDto, LoginDto, RegisterDto, RegistrationAcceptedDto } from './dto/auth.dto';
import { LoginThrottle } from './login-throttle';

@Injectable()
export class AuthService {
  /**
   * The password-hash pool (UsersService) is shared: before a job enters it, one address may have
   * PASSWORD_HASH_PER_ADDRESS jobs in flight and one account PASSWORD_HASH_PER_ACCOUNT from
   * addresses not trusted for it, so a few addresses cannot fill the line everyone's login waits in.
   */
  private readonly hashShares = new FairShares('password checks');

  constructor(
    private readonly users: UsersService,
    private readonly tokens: AuthTokens,
    private readonly throttle: LoginThrottle,
    private readonly quota: StorageQuota,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * Always a regular user: the manager role comes from the CLI only. The answer is the same
   * whether the account was created or the username or email was taken (the password is hashed
   * either way, so the timing matches too): registration does not reveal which accounts exist.
   * The client learns the outcome by logging in.
   */
  async register(input: RegisterDto, address: string): Promise<RegistrationAcceptedDto> {
    try {
      await this.hashShares.run([this.addressShare(address)], () =>
        this.users.create({ username: input.username, email: input.email, password: input.password, role: 'user' }),
      );
    } catch (error) {
      if ((error as { code?: unknown }).code !== 11000) throw error;
    }
    return { message: REGISTRATION_ACCEPTED };
  }

  /**
   * One answer for an unknown account and a wrong password, so logins do not reveal which accounts
   * exist. Throttled per account (LoginThrottle) and given a fair share of the hash pool.
   */
  async login(input: LoginDto, address: string): Promise<AccessTokenDto> {
    const found = await this.users.findForLogin({ username: input.username, email: input.email });
    // The account's id: its username and e-mail count as one; an unknown name counts by itself.
    const account = found ? `id-${String(found._id)}` : `name-${String(input.email || input.username).toLowerCase()}`;
    const { trusted, waitSeconds } = await this.throttle.standing(account, address);
    if (waitSeconds > 0) {
      throw new RetryLaterException(429, `too many failed logins to this account; retry in ${waitSeconds} s`, waitSeconds);
    }
    const shares: ShareClaim[] = [this.addressShare(address)];
    if (!trusted) shares.push({ key: `account:${account}`, cap: this.env.PASSWORD_HASH_PER_ACCOUNT, who: 'this account' });
    const valid = await this.hashShares.run(shares, () => this.users.checkPassword(found, input.password));
    if (!valid || !found) {
      if (!trusted) await this.throttle.failed(account, address);
      throw new UnauthorizedException('invalid credentials');
    }
    await this.throttle.succeeded(account, address);
    return { access_token: this.tokens.issue(found), token_type: 'Bearer', expires_in: this.env.JWT_EXPIRES_IN };
  }

  /** The account, with its stored bytes against STORAGE_QUOTA_BYTES. */
  async me(caller: AuthUser): Promise<PublicUser & { storage: StorageUsage }> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFoundException('this account no longer exists');
    return { ...user, storage: await this.quota.usage(user._id) };
  }

  private addressShare(address: string): ShareClaim {
    return { key: `address:${address}`, cap: this.env.PASSWORD_HASH_PER_ADDRESS, who: 'this address' };
  }
}
