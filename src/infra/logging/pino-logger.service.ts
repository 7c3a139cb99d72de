import { Logger as NestLogger, LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../../config/env';

/**
 * The one logger of the process. `pretty`: human-readable lines, coloured only when stdout is a
 * terminal; `json`: one JSON object a line, for files and log shippers. Default: pretty on a TTY.
 */
export function createPino(level: LogLevel, format: LogFormat = process.stdout.isTTY ? 'pretty' : 'json'): Logger {
  const options = { level, redact: ['req.headers.authorization', 'req.headers.cookie'], base: undefined };
  if (format === 'json') return pino(options);
  return pino(
    options,
    pretty({
      colorize: Boolean(process.stdout.isTTY),
      sync: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'context',
      messageFormat: '{if context}[{context}] {end}{msg}',
    }),
  );
}

/** Sends Nest's own logs (and every `new Logger(context)`) to the pino stream, from the first line. */
export function useProcessLogger(level: LogLevel, format?: LogFormat): Logger {
  const logger = createPino(level, format);
  NestLogger.overrideLogger(new PinoLoggerService(logger));
  return logger;
}

/** Nest's start-up chatter (a line per module and per route): debug, so `info` shows what a person needs. */
const BOOTSTRAP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Routes Nest's own logs into the same structured pino stream as the request logs. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, context?: string) {
    if (context && BOOTSTRAP_CONTEXTS.has(context)) this.pino.debug({ context }, String(message));
    else this.pino.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.pino.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.pino.fatal({ context }, String(message));
  }
}
