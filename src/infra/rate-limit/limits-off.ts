/**
 * Environment overrides that switch every rate limit off (and the per-address and per-account
 * shares of the password-hash pool): test suites and load generators send all their traffic from
 * one address, so limits would measure themselves instead of the routes.
 */
export const RATE_LIMITS_OFF = {
  RATE_LIMIT_GLOBAL: '0',
  RATE_LIMIT_LOGIN_PER_IP: '0',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '0',
  RATE_LIMIT_REGISTER_PER_IP: '0',
  RATE_LIMIT_OPERATIONS_PER_USER: '0',
  RATE_LIMIT_UPLOADS_PER_USER: '0',
  PASSWORD_HASH_PER_ADDRESS: '0',
  PASSWORD_HASH_PER_ACCOUNT: '0',
} as const;
