import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-body';

/** Room for a multipart body's boundaries, part headers and small fields (a title) beside the file. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Refuses a multipart body whose Content-Length already says it is over the upload limit, with
 * 413 before a byte of it is read, and closes the connection so the rest is never read either.
 * (Multipart bodies are streamed by the route, which stops at the limit too: this only saves
 * reading and parsing megabytes that can only be refused. JSON bodies get the same from Fastify's
 * bodyLimit.) A body sent without Content-Length (chunked) is left to the route's own limit.
 */
export function registerUploadSizeGuard(fastify: FastifyInstance, maxFileBytes: number): void {
  const limit = maxFileBytes + MULTIPART_OVERHEAD_BYTES;
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const declared = Number(request.headers['content-length']);
    if (!(declared > limit) || !String(request.headers['content-type']).toLowerCase().startsWith('multipart/')) return done();
    const message = `the upload is larger than the ${maxFileBytes}-byte limit (Content-Length: ${declared})`;
    void reply
      .code(413)
      .header('connection', 'close')
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(errorBody(413, message, request)));
  });
}
