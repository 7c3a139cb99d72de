import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface JsonBodyLimits {
  /** Largest body in bytes (413 beyond, before reading the rest). */
  maxBytes: number;
  /** Deepest nesting of objects and arrays (400 beyond, before parsing). */
  maxDepth: number;
}

class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The only body parser besides multipart: JSON. Form encodings and text get Fastify's 415.
 * - An empty body is no body (DELETE and other bodyless requests from clients that send
 *   `Content-Type: application/json` on every request); routes that need one report the
 *   missing fields as usual.
 * - Nesting is measured on the raw text before JSON.parse, so a few KB of `[[[[…` are refused
 *   before anything recursive (class-transformer, validation) sees them.
 * - Prototype-poisoning keys are refused by Fastify's own parser (secure-json-parse).
 */
export function registerJsonBody(fastify: FastifyInstance, limits: JsonBodyLimits): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: limits.maxBytes },
    (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, parsed?: unknown) => void) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      const depth = nestingDepth(text, limits.maxDepth);
      if (depth > limits.maxDepth) {
        return done(new BodyError(400, `the JSON body is nested more than ${limits.maxDepth} levels deep`));
      }
      parseJson(request, text, done);
    },
  );
}

/** Deepest `{`/`[` nesting outside strings; stops counting once past `stopAbove`. */
export function nestingDepth(text: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
