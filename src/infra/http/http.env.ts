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

/** The HTTP edge (src/infra/http): request bodies, connections and who may name the client. */
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

  /** Keys of any one object in a JSON body, nested ones included; more get 413 before parsing. */
  @IsInt()
  @Min(16)
  @Max(1_000_000)
  JSON_MAX_KEYS_PER_OBJECT: number = 1000;

  /** Elements of any one array in a JSON body; longer arrays get 413 before parsing. */
  @IsInt()
  @Min(16)
  @Max(1_000_000)
  JSON_MAX_ARRAY_LENGTH: number = 10_000;

  /** Object keys plus array elements in a whole JSON body; more get 413 before parsing. */
  @IsInt()
  @Min(16)
  @Max(10_000_000)
  JSON_MAX_VALUES: number = 20_000;

  /** Characters of any one string (keys included) in a JSON body; longer strings get 413 before parsing. */
  @IsInt()
  @Min(256)
  @Max(64 * 1024 * 1024)
  JSON_MAX_STRING_LENGTH: number = 16_384;

  /** Longest a client may take to send a request's headers; past it the connection is closed (408). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS: number = 10_000;

  /** Longest a client may take to send a whole request, body included (a slow upload is cut off with 408). */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  HTTP_REQUEST_TIMEOUT_MS: number = 60_000;

  /** How long an idle kept-alive connection stays open; behind a load balancer, set it above the balancer's idle timeout. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number = 5000;

  /** Open connections per process; more are closed as they are accepted (0: no cap). */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  HTTP_MAX_CONNECTIONS: number = 10_000;

  /** Open connections from one client address; more are closed as they are accepted (0: no cap, e.g. behind a proxy). */
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: number = 256;

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
