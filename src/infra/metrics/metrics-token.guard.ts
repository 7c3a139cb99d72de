import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * /metrics names routes, namespaces and error rates: a scraper presents `Bearer <METRICS_TOKEN>`
 * (or the ADMIN_TOKEN). With neither configured the endpoint does not exist (404).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly accepted: Buffer[];

  constructor(@Inject(ENV) env: Env) {
    this.accepted = [env.METRICS_TOKEN, env.ADMIN_TOKEN].filter((t): t is string => !!t).map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.accepted.length === 0) throw new NotFoundException('metrics are disabled: set METRICS_TOKEN');
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    // Compared as digests: equal lengths, constant time.
    const given = scheme?.toLowerCase() === 'bearer' && token ? digest(token) : undefined;
    if (!given || !this.accepted.some((a) => timingSafeEqual(a, given))) {
      throw new UnauthorizedException('metrics need `Authorization: Bearer <METRICS_TOKEN>`');
    }
    return true;
  }
}
