import './compile-cache';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { createApp } from './app.factory';
import { requireAdminAccess } from './auth/admin-access';
import { Env, InvalidEnvironmentError, validateEnv } from './config/env';
import { requireProductionSettings } from './config/production';
import { startEmbeddedServices } from './infra/embedded/embedded-services';
import { useProcessLogger } from './infra/logging/pino-logger.service';
import { DemoDataService } from './seeder/demo-data.service';
import type { SeedOutcome } from './seeder/seeder.registry';
import { UsersService } from './users/users.service';

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  useProcessLogger(env.LOG_LEVEL, env.LOG_FORMAT);
  const logger = new Logger('Main');
  logger.log(`cachebook on Node ${process.version}`);
  requireProductionSettings(env);

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

  let seeded: SeedOutcome[] | undefined;
  try {
    app = await createApp({ ...env, MONGODB_URI: services.mongodbUri, REDIS_URL: services.redisUrl });
    await app.init(); // connections and indexes first: seeding writes through the cache too
    await requireAdminAccess(env, app.get(UsersService));
    // Demo data only on the embedded default: a configured MongoDB is never written to unasked.
    if (!env.MONGODB_URI && env.DEMO_DATA) seeded = await app.get(DemoDataService).seedIfEmpty();
    await app.listen(env.PORT, env.HOST);
  } catch (error) {
    await services.stop();
    throw error;
  }
  logger.log(`MongoDB ${services.mongodbUri}; Redis ${services.redisUrl ?? 'none (in-process cache tier only)'}`);
  logger.log(banner(env, seeded));
}

/** What a newcomer needs to try the API, printed once the server listens. */
function banner(env: Env, seeded: SeedOutcome[] | undefined): string {
  const base = `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
  const lines = [
    `ready at ${base}`,
    `  Swagger UI   ${base}/docs`,
    `  health       ${base}/health`,
    `  cache        curl -si ${base}/games | grep -i '^x-cache'   (twice: MISS, then HIT)`,
    env.ADMIN_TOKEN
      ? '  admin        Authorize in /docs with ADMIN_TOKEN (from your .env)'
      : '  admin        set ADMIN_TOKEN (16+ chars) in .env, or: npm run cli -- users create-manager --username ana --email ana@example.com',
  ];
  for (const outcome of seeded ?? []) {
    for (const note of outcome.skipped ? [] : (outcome.notes ?? [])) lines.push(`  ${outcome.module.padEnd(12)} ${note}`);
  }
  if (!seeded && !env.MONGODB_URI && env.DEMO_DATA)
    lines.push('  data         the database already held data: demo data not added (npm run cli -- seed --reset replaces it)');
  return lines.join('\n');
}

main().catch((error: unknown) => {
  // Configuration errors name the variable; print them plainly, without a stack.
  console.error(error instanceof InvalidEnvironmentError ? error.message : error);
  process.exit(1);
});
