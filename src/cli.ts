import './compile-cache';
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli/cli.module';
import { Env, InvalidEnvironmentError, validateEnv } from './config/env';
import { requireProductionSettings } from './config/production';
import { readRunningServices, startEmbeddedServices } from './infra/embedded/embedded-services';
import { PinoLoggerService, useProcessLogger } from './infra/logging/pino-logger.service';

/**
 * `npm run cli -- <command>`. Uses MONGODB_URI / REDIS_URL when set; else the embedded servers of
 * a running `npm start` (same data); else starts the embedded ones itself on the same data files.
 * Help (`--help`, `help`, no command) starts and connects to nothing.
 */
async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const pino = useProcessLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, env.LOG_FORMAT);
  const args = process.argv.slice(2);
  const helpOnly = args.length === 0 || args[0] === 'help' || args.includes('--help') || args.includes('-h');
  if (!helpOnly) requireProductionSettings(env);

  const services = helpOnly ? offline(env) : await databases(env);
  try {
    await CommandFactory.run(
      CliModule.forRoot(
        { ...env, MONGODB_URI: services.mongodbUri, REDIS_URL: helpOnly ? undefined : (env.REDIS_URL ?? services.redisUrl) },
        helpOnly,
      ),
      {
        logger: new PinoLoggerService(pino),
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

/** The databases a command uses: configured, a running `npm start`'s, or embedded ones started now. */
async function databases(env: Env) {
  const running = env.MONGODB_URI ? undefined : readRunningServices(env);
  if (running) return { ...running, stop: async () => undefined };
  return startEmbeddedServices(env, { persistent: true, record: false });
}

/** Help needs the commands' metadata only: a URI that is never dialled (the connection is lazy). */
function offline(env: Env) {
  return { mongodbUri: env.MONGODB_URI ?? 'mongodb://127.0.0.1:9/cachebook', redisUrl: undefined, stop: async () => undefined };
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof InvalidEnvironmentError ? error.message : error);
    process.exit(1);
  },
);
