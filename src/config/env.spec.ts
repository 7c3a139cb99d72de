import 'reflect-metadata';
import { cacheKeyPrefix, databaseName, InvalidEnvironmentError, trustProxy, validateEnv } from './env';

describe('validateEnv', () => {
  it('applies defaults', () => {
    const env = validateEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.CACHE_TTL_SECONDS).toBe(120);
    expect(env.CACHE_L1_ENABLED).toBe(true);
    expect(env.LOG_LEVEL).toBe('info');
  });

  it('parses numbers and booleans from strings', () => {
    const env = validateEnv({ PORT: '8080', CACHE_ENABLED: 'false', CACHE_L1_ENABLED: '0', DEMO_ROUTES: 'true' });
    expect(env.PORT).toBe(8080);
    expect(env.CACHE_ENABLED).toBe(false);
    expect(env.CACHE_L1_ENABLED).toBe(false);
    expect(env.DEMO_ROUTES).toBe(true);
  });

  it('refuses bad values and names each variable', () => {
    expect(() => validateEnv({ PORT: 'abc', CACHE_TTL_SECONDS: '0', MONGODB_URI: 'http://x', CACHE_ENABLED: 'maybe' })).toThrow(
      InvalidEnvironmentError,
    );
    try {
      validateEnv({ PORT: 'abc', CACHE_TTL_SECONDS: '0', MONGODB_URI: 'http://x', CACHE_ENABLED: 'maybe' });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'CACHE_TTL_SECONDS', 'MONGODB_URI', 'CACHE_ENABLED']) expect(message).toContain(name);
    }
  });

  it('takes the database name from MONGODB_DB, else the URI path, else "cachebook"', () => {
    expect(databaseName({ MONGODB_URI: 'mongodb://h:1/shop?x=1' })).toBe('shop');
    expect(databaseName({ MONGODB_URI: 'mongodb://h:1/shop', MONGODB_DB: 'other' })).toBe('other');
    expect(databaseName({ MONGODB_URI: 'mongodb://h:1' })).toBe('cachebook');
  });
});

describe('cacheKeyPrefix', () => {
  const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017/' };
  it('keeps the plain seed names on the default database', () => {
    expect(cacheKeyPrefix({ ...base, CACHE_KEY_PREFIX: 'auto' })).toBe('');
    expect(cacheKeyPrefix({ MONGODB_URI: 'mongodb://h/cachebook?replicaSet=rs0', CACHE_KEY_PREFIX: 'auto' })).toBe('');
  });
  it('scopes any other database, unless told not to', () => {
    expect(cacheKeyPrefix({ ...base, MONGODB_DB: 'shop', CACHE_KEY_PREFIX: 'auto' })).toBe('shop:');
    expect(cacheKeyPrefix({ ...base, MONGODB_DB: 'shop', CACHE_KEY_PREFIX: 'none' })).toBe('');
    expect(cacheKeyPrefix({ ...base, MONGODB_DB: 'shop', CACHE_KEY_PREFIX: 'eu-1' })).toBe('eu-1:');
  });
  it('refuses a prefix that would be a SCAN pattern', () => {
    expect(() => validateEnv({ CACHE_KEY_PREFIX: 'a*' })).toThrow(/CACHE_KEY_PREFIX/);
  });
});

describe('TRUST_PROXY', () => {
  const parsed = (value: string) => trustProxy(validateEnv({ TRUST_PROXY: value }));
  it('reads off, on, a hop count, or a list of addresses, CIDRs and named ranges', () => {
    expect(trustProxy(validateEnv({}))).toBe(false);
    expect(parsed('true')).toBe(true);
    const twoHops = parsed('2') as (address: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => twoHops('10.0.0.1', hop))).toEqual([true, true, false]);
    expect(parsed('10.0.0.1, 10.1.0.0/16,loopback,::1,fd00::/8')).toEqual(['10.0.0.1', '10.1.0.0/16', 'loopback', '::1', 'fd00::/8']);
  });
  it('refuses what would reach Fastify as a bad address, naming the variable', () => {
    for (const bad of ['yes', '10.0.0.300', '10.0.0.0/33', '10.0.0.1/8/1', 'proxy.example.com', ',']) {
      expect(() => validateEnv({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });
});
