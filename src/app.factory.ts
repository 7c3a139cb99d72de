import compress from '@fastify/compress';
import multipart from '@fastify/multipart';
import type { Type } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { addResponseExamples } from './infra/http/openapi-examples';
import { trustProxy, type Env } from './config/env';
import { connectionOptions, limitConnections } from './infra/http/connection-limits';
import { registerJsonBody } from './infra/http/json-body';
import { registerSecurityHeaders, setRouterErrorHeaders } from './infra/http/security-headers';
import { registerUploadSizeGuard } from './infra/http/upload-size-guard';
import { errorResponse } from './infra/http/api-errors.decorator';
import { declaredTags } from './infra/http/api-tag';
import { errorBody } from './infra/http/error-body';
import { closeRequestBodySchemas } from './infra/http/openapi-document';
import { assertEveryRouteDeclaresAccess } from './infra/http/route-access-check';
import { createPino, PinoLoggerService } from './infra/logging/pino-logger.service';
import { documentCachedOperations, L1FastPath } from './infra/cache';
import { MetricsService } from './infra/metrics/metrics.service';
import { GlobalRateLimit } from './infra/rate-limit/global-rate-limit';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds a configured app (not listening). Used by main.ts, the CLI, the tests and the benchmarks. */
export async function createApp(env: Env, extraModules: Type[] = []): Promise<NestFastifyApplication> {
  const pino = createPino(env.LOG_LEVEL, env.LOG_FORMAT);
  const adapter = new FastifyAdapter({
    loggerInstance: pino,
    // One line per request, written when it ends (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: env.JSON_BODY_MAX_BYTES,
    ...connectionOptions(env),
    trustProxy: trustProxy(env),
    // Fastify's default (100) is shorter than cache keys of operation results (/cache/entries/:key
    // validates up to 512); a longer path parameter is a 414.
    routerOptions: { maxParamLength: 512 },
    // Errors the router raises before Nest sees the request get the shared error shape too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      const message =
        status === 414 ? 'a path parameter is longer than 512 characters' : 'the URL is not valid (check its percent-encoding)';
      setRouterErrorHeaders(request, reply);
      void reply
        .status(status)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify(errorBody(status, message, request)));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(env, extraModules), adapter, {
    logger: new PinoLoggerService(pino),
    abortOnError: false,
    // Nest's default parsers would accept form encodings on JSON routes: registerJsonBody replaces them.
    bodyParser: false,
  });
  try {
    assertEveryRouteDeclaresAccess(app.get(ModulesContainer));
  } catch (error) {
    await app.close();
    throw error;
  }
  registerJsonBody(app.getHttpAdapter().getInstance(), {
    maxBytes: env.JSON_BODY_MAX_BYTES,
    maxDepth: env.JSON_MAX_DEPTH,
    maxKeysPerObject: env.JSON_MAX_KEYS_PER_OBJECT,
    maxArrayLength: env.JSON_MAX_ARRAY_LENGTH,
    maxValues: env.JSON_MAX_VALUES,
    maxStringLength: env.JSON_MAX_STRING_LENGTH,
  });
  // Multipart bodies, with tight defaults: a route that takes uploads passes its own limits to
  // `request.parts({ limits })` (ImageDoc: see multipart-upload.ts).
  await app.register(multipart, { limits: { files: 1, fields: 10, fieldSize: 64 * 1024, parts: 20 } });

  const fastify = app.getHttpAdapter().getInstance();
  limitConnections(fastify.server, env);
  const metrics = app.get(MetricsService);
  registerSecurityHeaders(app);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  registerUploadSizeGuard(fastify, env.UPLOAD_MAX_BYTES);
  // After the request-id hook, so refusals and fast-path hits carry it too; the ceiling before the
  // fast path, so cache hits count against it.
  app.get(GlobalRateLimit).register(fastify);
  app.get(L1FastPath).register(fastify);
  // Answers not cached are compressed per request from 1 KB; cached routes send their stored
  // forms instead (left out of the plugin by the fast path's onRoute hook, registered above).
  // Request bodies are not decompressed: the body limits stay about the bytes received.
  await app.register(compress, { global: true, globalDecompression: false, threshold: 1024, encodings: ['br', 'gzip'] });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    // Cache hits are most of the traffic under load and tell nothing new one by one (the cache's
    // counters and the histogram above have them): logged at debug; everything else at info.
    const level = reply.getHeader('x-cache') === 'HIT' ? 'debug' : 'info';
    if (pino.isLevelEnabled(level)) request.log[level]({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    done();
  });

  setupSwagger(app);
  return app;
}

function setupSwagger(app: NestFastifyApplication) {
  const builder = new DocumentBuilder()
    .setTitle('Cachebook API')
    .setDescription(
      'Read-heavy APIs served from MongoDB through a two-tier cache (in-process L1, Redis L2). ' +
        'Cached routes answer with `X-Cache: HIT|MISS` and, on hits, `X-Cache-Tier: l1|l2`. ' +
        'Errors share one shape: `{ statusCode, error, message, path, timestamp, requestId }`.',
    )
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth()
    // Any request can be malformed (bad URL encoding, unknown query fields, bad JSON, an overlong
    // path parameter) or throttled.
    .addGlobalResponse(errorResponse(400), errorResponse(414), errorResponse(429));
  // Each module's controllers declare their tags (@ApiTag); this only collects them.
  for (const { name, description } of declaredTags(app.get(ModulesContainer))) builder.addTag(name, description);
  // Finished for consumers: request bodies closed, cache headers on cached answers, an example on every answer.
  const document = addResponseExamples(
    documentCachedOperations(closeRequestBodySchemas(SwaggerModule.createDocument(app, builder.build()))),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true, validatorUrl: null },
  });
}
