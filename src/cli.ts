import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { InvalidEnvironmentError, validateEnv } from './config/env';
import { readRunningServices, startEmbeddedServices } from './infra/embedded/embedded-services';

/**
 * `npm run cli -- <command>`. Uses MONGODB_URI / REDIS_URL when set; else the embedded servers of
 * a running `npm start` (same data); else starts the embedded ones itself on the same data files.
 */
async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const running = env.MONGODB_URI ? undefined : readRunningServices(env);
  const services = running
    ? { ...running, stop: async () => undefined }
    : await startEmbeddedServices(env, { persistent: true, record: false });
  try {
    await CommandFactory.run(
      CliModule.forRoot({ ...env, MONGODB_URI: services.mongodbUri, REDIS_URL: env.REDIS_URL ?? services.redisUrl }),
      {
        logger: ['error', 'warn'],
        errorHandler: (error) => {
          // commander reports --help and --version as errors too
          if ((error as { code?: string }).code?.startsWith('commander.help') || error.message === '(outputHelp)') return;
          console.error(error.message);
          process.exitCode = 1;
        },
        serviceErrorHandler: (error) => {
          console.error(error.message);
          process.exitCode = 1;
        },
      },
    );
  } finally {
    await services.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof InvalidEnvironmentError ? error.message : error);
    process.exit(1);
  },
);
