import { HttpException } from '@nestjs/common';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { createProgress } from '../../common/progress';
import { EDITION_MESSAGE, EDITION_PATTERN } from '../editions';
import { PublicationService } from '../publication/publication.service';
import { ResultsWarmUpService } from '../warm-up/results-warm-up.service';

/** HTTP-flavoured errors from the services read as plain messages on a terminal. */
function plain(error: unknown): Error {
  if (!(error instanceof HttpException)) return error as Error;
  const response = error.getResponse() as { message?: string | string[] } | string;
  const message = typeof response === 'string' ? response : response.message;
  return new Error(Array.isArray(message) ? message.join('; ') : (message ?? error.message));
}

function edition(value: string | undefined): string {
  if (!value || !EDITION_PATTERN.test(value)) throw new Error(EDITION_MESSAGE);
  return value;
}

@SubCommand({
  name: 'publish',
  arguments: '<edition>',
  description: "Set when an edition's results become public (--at, ISO 8601, judged on Redis' clock)",
})
export class ResultsPublishCommand extends CommandRunner {
  constructor(private readonly publications: PublicationService) {
    super();
  }

  async run([name]: string[], flags: { at?: Date }): Promise<void> {
    if (!flags.at) throw new Error('--at <instant> is required, e.g. --at 2027-01-29T15:00:00Z');
    const view = await this.publications.schedule(edition(name), flags.at).catch((e: unknown) => Promise.reject(plain(e)));
    console.log(`${view.edition}: public from ${view.publish_at} (in ${view.seconds_to_publish} s, Redis time)`);
  }

  @Option({ flags: '--at <instant>', description: 'the instant (ISO 8601), at least RESULTS_PUBLISH_NOTICE_SECONDS ahead' })
  parseAt(value: string): Date {
    const at = new Date(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime()))
      throw new Error(`--at must be an ISO 8601 instant, got "${value}"`);
    return at;
  }
}

@SubCommand({
  name: 'warm',
  arguments: '<edition>',
  description: "Warm every result public from the edition's instant into Redis (running instances then copy them into L1)",
})
export class ResultsWarmCommand extends CommandRunner {
  constructor(private readonly warmUps: ResultsWarmUpService) {
    super();
  }

  async run([name]: string[]): Promise<void> {
    let bar: ReturnType<typeof createProgress> | undefined;
    let shown = 0;
    const state = await this.warmUps
      .warm(edition(name), (stored, total) => {
        bar ??= createProgress(`warm-up ${name} (into Redis)`, total, 'results');
        bar.tick(stored - shown);
        shown = stored;
      })
      .catch((e: unknown) => Promise.reject(plain(e)));
    bar?.done();
    console.log(
      `${state.edition}: ${state.stored}/${state.total} results in Redis in ${state.seconds} s (${state.per_second}/s), ` +
        `${state.retried} read again after writes; keys students.public-${state.fingerprint}:id:*, ` +
        `TTL ${state.ttl_seconds} s. Running instances copy them into their L1 now: npm run cli -- results status`,
    );
  }
}

@SubCommand({ name: 'status', description: 'Editions, their instants, and their warm-ups (with each instance’s L1 copy)' })
export class ResultsStatusCommand extends CommandRunner {
  constructor(
    private readonly publications: PublicationService,
    private readonly warmUps: ResultsWarmUpService,
  ) {
    super();
  }

  async run(): Promise<void> {
    for (const p of await this.publications.list()) {
      console.log(`${p.edition}: ${p.published ? 'public since' : 'public from'} ${p.publish_at} (${p.seconds_to_publish} s)`);
      const warm = await this.warmUps.status(p.edition).catch(() => undefined);
      if (!warm) continue;
      console.log(
        `  warm-up ${warm.status}: ${warm.stored}/${warm.total} in ${warm.seconds} s (${warm.per_second}/s)` +
          warm.l1
            .map(
              (l) =>
                `; L1 ${l.instance.slice(0, 8)} ${l.loaded}${l.full ? ' (full)' : ''}${l.interrupted ? ' (interrupted)' : ''}${l.done ? '' : '…'}`,
            )
            .join(''),
      );
    }
  }
}

@Command({
  name: 'results',
  description: 'Results day: publication instants and warm-ups (publish, warm, status)',
  subCommands: [ResultsPublishCommand, ResultsWarmCommand, ResultsStatusCommand],
})
export class ResultsCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
