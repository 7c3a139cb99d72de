import { Inject, Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import * as argon2 from 'argon2';
import { Model, Types } from 'mongoose';
import { BoundedPool } from '../common/bounded-pool';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { cacheKeys } from '../infra/cache';
import { CacheInvalidator, TwoTierCache } from '../infra/cache';
import { User, UserRole } from './schemas/user.schema';

export interface PublicUser {
  _id: Types.ObjectId;
  username: string;
  email: string;
  role: UserRole;
  created_at: Date;
}

/** An account as a login reads it: its public fields, token version and password hash. */
export type LoginAccount = PublicUser & { password_hash: string; token_version?: number };

/** What authorization reads on every authenticated request, from the source of truth. */
export interface AuthRecord {
  role: UserRole;
  token_version: number;
}

/** Cached auth records: `users:id:<id>` in Redis only (no in-process copy), invalidated by each change below. */
const AUTH_NAMESPACE = 'users';
/** Bounds staleness after a change made behind the service's back (a direct database write). */
const AUTH_TTL_SECONDS = 60;

export interface NewUser {
  username: string;
  email: string;
  password: string;
  role?: UserRole;
}

/** Fields a client may see: everything but the hash. */
const PUBLIC_FIELDS = { username: 1, email: 1, role: 1, created_at: 1 } as const;

@Injectable()
export class UsersService {
  /** Verified against when a login names no account, so both answers take about as long. */
  private decoyHash?: Promise<string>;
  /**
   * Each argon2 call takes 64 MiB and a libuv thread (shared with file reads, sharp and DNS): at
   * most PASSWORD_HASH_CONCURRENCY run at once, a short line waits, the rest get 503 + Retry-After.
   */
  private readonly hashing: BoundedPool;

  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    private readonly cache: TwoTierCache,
    private readonly invalidator: CacheInvalidator,
    @Inject(ENV) env: Env,
  ) {
    this.hashing = new BoundedPool({
      name: 'password checks',
      concurrency: env.PASSWORD_HASH_CONCURRENCY,
      queueLimit: env.PASSWORD_HASH_QUEUE_LIMIT,
      retryAfterSeconds: 2,
    });
  }

  get hashingStats() {
    return this.hashing.stats;
  }

  /** argon2id with the library's defaults (64 MiB, t=3, p=4), the OWASP-recommended family. */
  hashPassword(password: string): Promise<string> {
    return this.hashing.run(() => argon2.hash(password, { type: argon2.argon2id }));
  }

  private verifyPassword(hash: string, password: string): Promise<boolean> {
    return this.hashing.run(() => argon2.verify(hash, password).catch(() => false));
  }

  /** Creates an account; a taken username or email is a duplicate key (the global filter answers 409). */
  async create(input: NewUser): Promise<PublicUser> {
    const password_hash = await this.hashPassword(input.password);
    const created = await this.users.create({
      username: input.username,
      email: input.email,
      password_hash,
      role: input.role ?? 'user',
    });
    return this.toPublic(created.toObject());
  }

  findById(id: string): Promise<PublicUser | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.users.findById(id, PUBLIC_FIELDS).lean<PublicUser>().exec();
  }

  findByUsername(username: string): Promise<PublicUser | null> {
    return this.users.findOne({ username: username.toLowerCase() }, PUBLIC_FIELDS).lean<PublicUser>().exec();
  }

  /** The account a login names (by e-mail when one is given, else by username), with its hash; null when none. */
  findForLogin(login: { username?: string; email?: string }): Promise<LoginAccount | null> {
    const filter = login.email ? { email: login.email.toLowerCase() } : { username: String(login.username).toLowerCase() };
    return this.users
      .findOne(filter, { ...PUBLIC_FIELDS, password_hash: 1, token_version: 1 })
      .lean<LoginAccount>()
      .exec();
  }

  /**
   * Whether `password` is the account's. A missing account still costs one argon2
   * verification, so timing does not reveal it.
   */
  async checkPassword(account: LoginAccount | null, password: string): Promise<boolean> {
    if (account) return this.verifyPassword(account.password_hash, password);
    this.decoyHash ??= this.hashPassword('decoy-password-never-matches').catch((error: unknown) => {
      this.decoyHash = undefined; // refused (pool full): make it next time
      throw error;
    });
    await this.verifyPassword(await this.decoyHash, password);
    return false;
  }

  /**
   * The role and token version of an account (null: no such account), read through the shared
   * cache. Every change below invalidates it on every instance before answering, so it takes
   * effect on the next request.
   */
  async authRecord(id: string): Promise<AuthRecord | null> {
    if (!Types.ObjectId.isValid(id)) return null;
    const load = async () => {
      const found = await this.users.findById(id, { role: 1, token_version: 1 }).lean<AuthRecord>().exec();
      return Buffer.from(JSON.stringify(found ? { role: found.role, token_version: found.token_version ?? 0 } : null));
    };
    if (!this.cache.enabled) return JSON.parse((await load()).toString()) as AuthRecord | null;
    const { body } = await this.cache.getOrLoad(AUTH_NAMESPACE, cacheKeys.id(AUTH_NAMESPACE, id), load, {
      ttlSeconds: AUTH_TTL_SECONDS,
      isList: false,
      sharedOnly: true,
    });
    return JSON.parse(body.toString()) as AuthRecord | null;
  }

  /** Whether any account holds the manager role (production refuses to start with no way to administer it). */
  async hasManager(): Promise<boolean> {
    return (await this.users.exists({ role: 'manager' }).exec()) !== null;
  }

  /** Sets a user's role (effective on the next request); returns the updated user or null when there is no such user. */
  async setRole(username: string, role: UserRole): Promise<PublicUser | null> {
    const user = await this.users
      .findOneAndUpdate({ username: username.toLowerCase() }, { $set: { role } }, { returnDocument: 'after', projection: PUBLIC_FIELDS })
      .lean<PublicUser>()
      .exec();
    if (user) await this.invalidator.invalidate(AUTH_NAMESPACE, [String(user._id)]);
    return user;
  }

  /** Revokes every access token issued to the user so far; returns false when there is no such user. */
  async revokeTokens(username: string): Promise<boolean> {
    const user = await this.users
      .findOneAndUpdate({ username: username.toLowerCase() }, { $inc: { token_version: 1 } }, { projection: { _id: 1 } })
      .lean<{ _id: Types.ObjectId }>()
      .exec();
    if (user) await this.invalidator.invalidate(AUTH_NAMESPACE, [String(user._id)]);
    return user !== null;
  }

  /** Deletes an account (its tokens stop working on the next request); false when there is no such user. */
  async remove(username: string): Promise<boolean> {
    const user = await this.users
      .findOneAndDelete({ username: username.toLowerCase() }, { projection: { _id: 1 } })
      .lean<{ _id: Types.ObjectId }>()
      .exec();
    if (user) await this.invalidator.invalidate(AUTH_NAMESPACE, [String(user._id)]);
    return user !== null;
  }

  private toPublic(doc: User & { _id: Types.ObjectId }): PublicUser {
    return { _id: doc._id, username: doc.username, email: doc.email, role: doc.role, created_at: doc.created_at };
  }
}
