import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { createApp } from './app.factory';
import { InvalidEnvironmentError, validateEnv } from './config/env';
import { startEmbeddedServices } from './infra/embedded/embedded-services';

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const logger = new Logger('Main');

  // No MONGODB_URI / REDIS_URL: start embedded ones, persistent, and record them for the CLI.
  const services = await startEmbeddedServices(env, { persistent: true, record: true });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    await app?.close().catch(() => undefined);
    await services.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    app = await createApp({ ...env, MONGODB_URI: services.mongodbUri, REDIS_URL: services.redisUrl });
    await app.listen(env.PORT, env.HOST);
  } catch (error) {
    await services.stop();
    throw error;
  }
  logger.log(`listening on http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT} (Swagger UI at /docs)`);
  logger.log(`MongoDB ${services.mongodbUri}; Redis ${services.redisUrl ?? 'none (in-process cache tier only)'}`);
}

main().catch((error: unknown) => {
  // Configuration errors name the variable; print them plainly, without a stack.
  console.error(error instanceof InvalidEnvironmentError ? error.message : error);
  process.exit(1);
});
