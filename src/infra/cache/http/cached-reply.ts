import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CachedBody } from '../two-tier-cache.service';
import { preferredCoding } from './accept-encoding';

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Clients keep a copy but ask before each use (`no-cache`): the cache's coherence guarantee is
 * about what the server sends, and a max-age would let a client keep an answer a write already
 * replaced. Revalidation costs a 304 with no body. Answers that depend on the caller (a scope,
 * a guard) are `private` and vary with the credentials too, so no shared cache mixes them up.
 */
const PUBLIC_HEADERS = { 'cache-control': 'no-cache', vary: 'Accept-Encoding' };
const PER_CALLER_HEADERS = { 'cache-control': 'private, no-cache', vary: 'Accept-Encoding, Authorization' };

const CACHED_REPLY = Symbol('cachedReply');

interface CachedReply {
  entry: CachedBody;
  perCaller: boolean;
}

type MarkedRequest = FastifyRequest & { [CACHED_REPLY]?: CachedReply };

/** Route config set by @Cached: cached answers choose their own encoding (see registerCachedReplies). */
export const CACHED_ROUTE_CONFIG = { cachedRoute: true };

/**
 * The payload for a cached answer, with its validator and caching headers set: the stored
 * br or gzip form when the client accepts it and the entry has it (else identity); undefined
 * (and status 304) when the client's `If-None-Match` already names that representation.
 * Each encoding is its own representation, so it has its own strong tag (`"<hash>.br"`).
 */
export function cachedPayload(request: FastifyRequest, reply: FastifyReply, entry: CachedBody, perCaller: boolean): Buffer | undefined {
  const { body, notModified } = representation(request, reply, entry, perCaller);
  return notModified ? undefined : body;
}

function representation(
  request: FastifyRequest,
  reply: FastifyReply,
  entry: CachedBody,
  perCaller: boolean,
): { body: Buffer; notModified: boolean } {
  const coding = entry.br || entry.gzip ? preferredCoding(request.headers['accept-encoding']) : undefined;
  const form = coding === 'br' ? entry.br : coding === 'gzip' ? entry.gzip : undefined;
  const etag = form ? `${entry.etag.slice(0, -1)}.${coding === 'br' ? 'br' : 'gz'}"` : entry.etag;
  void reply.headers(perCaller ? PER_CALLER_HEADERS : PUBLIC_HEADERS).header('etag', etag);
  const body = form ?? entry.body;
  if (notModified(request.headers['if-none-match'], etag)) {
    void reply.code(304).removeHeader('content-type');
    return { body, notModified: true };
  }
  void reply.header('content-type', JSON_TYPE);
  if (form) void reply.header('content-encoding', coding);
  return { body, notModified: false };
}

/**
 * For answers sent through Nest (the interceptor): the payload is chosen in onSend, where the
 * status can still become 304. The fast path calls `cachedPayload` itself.
 */
export function markCachedReply(request: FastifyRequest, entry: CachedBody, perCaller: boolean): void {
  (request as MarkedRequest)[CACHED_REPLY] = { entry, perCaller };
}

/**
 * Before a compression plugin is registered: cached routes are left out of it (their stored
 * forms are compressed once; compressing identity per request would also break the strong tag).
 */
export function registerCachedReplies(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if ((route.config as Partial<typeof CACHED_ROUTE_CONFIG> | undefined)?.cachedRoute) (route as { compress?: false }).compress = false;
  });
  fastify.addHook(
    'onSend',
    (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
      const marked = (request as MarkedRequest)[CACHED_REPLY];
      if (!marked || reply.statusCode !== 200) return done(null, payload);
      const { body, notModified } = representation(request, reply, marked.entry, marked.perCaller);
      // A 304 has no body. To HEAD, Fastify's own hook (after this one) turns the payload into its
      // Content-Length and sends none: the length a 200 would have had, as RFC 9110 asks.
      done(null, notModified && request.method !== 'HEAD' ? null : body);
    },
  );
}

/** `If-None-Match` (weak comparison, as RFC 9110 asks for it): `*`, or a list naming this tag. */
export function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header === etag) return true;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || (tag.startsWith('W/') ? tag.slice(2) : tag) === etag) return true;
  }
  return false;
}
