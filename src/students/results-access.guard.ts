import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { bearerToken, isAdminToken } from '../auth/admin.guard';
import { AuthTokens } from '../auth/auth-tokens.service';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PublicationGate } from './publication/publication-gate';
import { visibleEditions, type VisibleEditions } from './publication/visible-editions';
import { PUBLIC_SCOPE } from './students.cache';

/** What one request may see of the results, decided once, before the cache interceptor runs. */
export interface ResultsView {
  /** Whole CPFs and every edition, published or not, never from or into the cache: the admin token or a manager's. */
  privileged: boolean;
  /** The editions the public may see at this request's instant (the gate's one decision for it). */
  visible: VisibleEditions;
}

const RESULTS_VIEW = Symbol('resultsView');
type MarkedRequest = FastifyRequest & { [RESULTS_VIEW]?: ResultsView };
const NOTHING_VISIBLE = visibleEditions([], new Map());

/**
 * Marks each request of a results route with what it may see: the caller's privilege, and the
 * publication gate's decision (usually local; within a round trip of an instant, one Redis read).
 * Privileged: who may use the admin routes (the admin token, or a manager's access token, as
 * AdminGuard decides). Never rejects (a bad token is simply public); only answers 503 when the
 * gate cannot decide (Redis unreachable longer than the notice).
 */
@Injectable()
export class ResultsAccessGuard implements CanActivate {
  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly gate: PublicationGate,
    private readonly tokens: AuthTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<MarkedRequest>();
    const token = bearerToken(request);
    if (token && !isAdminToken(token, this.env.ADMIN_TOKEN)) {
      // Some other bearer: a manager's access token sees what the admin token sees.
      return this.tokens.authenticate(token).then(
        (user) => this.decide(request, user.role === 'manager'),
        () => this.decide(request, false),
      );
    }
    return this.decide(request, token !== undefined);
  }

  private decide(request: MarkedRequest, privileged: boolean): true | Promise<true> {
    const known = this.gate.visibleNow();
    if (known) return mark(request, { privileged, visible: known });
    // Privileged callers filter nothing by edition: the set only names the ranking's default edition.
    const decided = privileged ? this.gate.visible().catch(() => NOTHING_VISIBLE) : this.gate.visible();
    return decided.then((visible) => mark(request, { privileged, visible }));
  }
}

function mark(request: MarkedRequest, view: ResultsView): true {
  request[RESULTS_VIEW] = view;
  return true;
}

export function resultsViewOf(request: FastifyRequest): ResultsView | undefined {
  return (request as MarkedRequest)[RESULTS_VIEW];
}

/**
 * `@Cached` scope of the public answers: `public-<fingerprint of the visible editions>`, so each
 * set of published editions has keys of its own (see visible-editions.ts). Privileged callers, and
 * a request the guard did not mark, bypass the cache.
 */
export function publicResultsScope(request: FastifyRequest): string | undefined {
  const fingerprint = publicFingerprint(request);
  return fingerprint && `${PUBLIC_SCOPE}-${fingerprint}`;
}

/** The fingerprint of the editions a public request sees; undefined for privileged or unmarked requests. */
export function publicFingerprint(request: FastifyRequest): string | undefined {
  const view = resultsViewOf(request);
  return view && !view.privileged ? view.visible.fingerprint : undefined;
}

/** Handler parameter: the request's ResultsView (set by ResultsAccessGuard). */
export const ResultsViewOf = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const view = resultsViewOf(context.switchToHttp().getRequest<FastifyRequest>());
  if (!view) throw new Error('ResultsAccessGuard did not run for this route');
  return view;
});
