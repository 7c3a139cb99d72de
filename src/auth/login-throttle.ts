import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ENV } from '../config/config.module';
import { cacheKeyPrefix, type Env } from '../config/env';
import { REDIS_UNAVAILABLE, RedisConnection } from '../infra/cache';

/** KEYS: failures key. ARGV: window ms. Counts one failure; the first starts the window. */
const COUNT_FAILURE = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return failures
`;

export interface LoginStanding {
  /** This address logged in to this account recently: the account-wide limit does not apply to it. */
  trusted: boolean;
  /** Seconds until untrusted addresses may try this account again (0: they may now). */
  waitSeconds: number;
}

/**
 * The account-wide login limit, without handing the owner's account to whoever guesses wrong:
 * - failures are counted per account (its id, so the username and e-mail forms are one account;
 *   an unknown name is counted by name, so the answers reveal nothing), per window;
 * - past RATE_LIMIT_LOGIN_PER_ACCOUNT failures, addresses that have not logged in to the account
 *   recently get 429 until the window ends, even with the right password;
 * - an address that logged in to the account successfully in the last LOGIN_TRUST_DAYS is
 *   trusted for it: its attempts are neither counted nor refused here (the per-address limit
 *   still applies), so an owner keeps logging in from where they usually do during an attack.
 * Kept in Redis (shared by instances); while Redis is down, in this process.
 */
@Injectable()
export class LoginThrottle {
  private readonly prefix: string;
  private readonly windowMs: number;
  private readonly trustMs: number;
  private readonly localFailures = new LRUCache<string, { count: number; ends: number }>({ max: 100_000 });
  private readonly localTrust: LRUCache<string, true>;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(ENV) private readonly env: Env,
  ) {
    this.prefix = cacheKeyPrefix(env);
    this.windowMs = env.RATE_LIMIT_WINDOW_SECONDS * 1000;
    this.trustMs = env.LOGIN_TRUST_DAYS * 24 * 3600 * 1000;
    this.localTrust = new LRUCache({ max: 100_000, ttl: Math.max(1, this.trustMs) });
  }

  private get limit(): number {
    return this.env.RATE_LIMIT_LOGIN_PER_ACCOUNT;
  }

  async standing(account: string, address: string): Promise<LoginStanding> {
    if (this.limit === 0) return { trusted: false, waitSeconds: 0 };
    const [failuresKey, trustKey] = this.keys(account, address);
    const result = await this.redis.run((client) => client.pipeline().exists(trustKey).get(failuresKey).pttl(failuresKey).exec());
    if (result === REDIS_UNAVAILABLE || !result) return this.localStanding(account, address);
    const [trusted, failures, leftMs] = result.map(([, value]) => Number(value ?? 0));
    if (trusted === 1) return { trusted: true, waitSeconds: 0 };
    return { trusted: false, waitSeconds: failures >= this.limit ? Math.max(1, Math.ceil(leftMs / 1000)) : 0 };
  }

  /** A wrong password (or no such account) from an address not trusted for it. */
  async failed(account: string, address: string): Promise<void> {
    if (this.limit === 0) return;
    const [failuresKey] = this.keys(account, address);
    const counted = await this.redis.run((client) => client.eval(COUNT_FAILURE, 1, failuresKey, this.windowMs));
    if (counted !== REDIS_UNAVAILABLE) return;
    const now = Date.now();
    const local = this.localFailures.get(account);
    if (local && local.ends > now) local.count++;
    else this.localFailures.set(account, { count: 1, ends: now + this.windowMs });
  }

  /** A successful login: the address is trusted for this account from now on, for LOGIN_TRUST_DAYS. */
  async succeeded(account: string, address: string): Promise<void> {
    if (this.limit === 0 || this.trustMs === 0) return;
    const [, trustKey] = this.keys(account, address);
    const stored = await this.redis.run((client) => client.set(trustKey, '1', 'PX', this.trustMs));
    if (stored === REDIS_UNAVAILABLE) this.localTrust.set(`${account}|${address}`, true);
  }

  private localStanding(account: string, address: string): LoginStanding {
    const trusted = this.localTrust.has(`${account}|${address}`);
    const local = this.localFailures.get(account);
    const leftMs = local ? local.ends - Date.now() : 0;
    const blocked = !trusted && local !== undefined && leftMs > 0 && local.count >= this.limit;
    return { trusted, waitSeconds: blocked ? Math.max(1, Math.ceil(leftMs / 1000)) : 0 };
  }

  /** One hash tag per account, so both keys live on one Cluster slot (one pipeline). */
  private keys(account: string, address: string): [failures: string, trust: string] {
    const base = `${this.prefix}login:{${account}}`;
    return [`${base}:failures`, `${base}:trusted:${address}`];
  }
}
