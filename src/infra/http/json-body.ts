import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonShapeViolation, type JsonShapeLimits } from './json-shape';

export interface JsonBodyLimits extends JsonShapeLimits {
  /** Largest body in bytes (413 beyond, before reading the rest). */
  maxBytes: number;
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
 * - The shape (nesting, keys, array lengths, string lengths) is measured on the raw text before
 *   JSON.parse, in one linear pass (json-shape.ts): a few KB of `[[[[…` or an object of 80,000
 *   keys are refused before anything recursive or superlinear (class-transformer, validation)
 *   sees them.
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
      const violation = jsonShapeViolation(text, limits);
      if (violation) return done(new BodyError(violation.statusCode, violation.message));
      parseJson(request, text, done);
    },
  );
}
