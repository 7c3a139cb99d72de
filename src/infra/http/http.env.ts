import { isIP } from 'node:net';
import { IsInt, Max, Min, ValidateBy } from 'class-validator';

/** proxy-addr's named ranges, accepted in TRUST_PROXY beside addresses and CIDRs. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
const isProxyEntry = (entry: string) => {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !isIP(address)) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128));
};
/** `false`, `true`, a hop count, or a comma list of addresses / CIDRs / named ranges. */
const isTrustProxy = (value: unknown) =>
  typeof value === 'string' && (/^(true|false|\d{1,2})$/.test(value) || value.split(',').every((entry) => isProxyEntry(entry.trim())));

/** The HTTP edge (src/infra/http): request bodies and who may name the client. */
export class HttpEnv {
  /** Largest JSON body in bytes; larger bodies get 413 before they are read whole. */
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  JSON_BODY_MAX_BYTES: number = 1024 * 1024;

  /** Deepest nesting of objects/arrays in a JSON body; deeper bodies get 400 before parsing. */
  @IsInt()
  @Min(2)
  @Max(1000)
  JSON_MAX_DEPTH: number = 32;

  /**
   * Which peers may name the client in X-Forwarded-For (the address rate limits and logs use):
   * `false` (the socket's address, the default), a comma list of proxy addresses, CIDRs or
   * `loopback`/`linklocal`/`uniquelocal`, a hop count, or `true` (any peer: only behind a proxy
   * that overwrites the header). Fastify's `trustProxy`.
   */
  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: isTrustProxy,
      defaultMessage: () =>
        'TRUST_PROXY must be false, true, a hop count, or a comma list of IP addresses, CIDRs, loopback, linklocal, uniquelocal',
    },
  })
  TRUST_PROXY: string = 'false';
}

/**
 * TRUST_PROXY as Fastify's `trustProxy` option. A hop count becomes the function Fastify would
 * make of it (its adapter's types take no number): the first `hops` proxies are trusted.
 */
export function trustProxy(env: Pick<HttpEnv, 'TRUST_PROXY'>): boolean | string[] | ((address: string, hop: number) => boolean) {
  const value = env.TRUST_PROXY;
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return (_address, hop) => hop < hops;
  }
  return value.split(',').map((entry) => entry.trim());
}
