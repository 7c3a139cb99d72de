import { CanActivate, Controller, ExecutionContext, ForbiddenException, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { GuardedBy, Public } from '../../src/infra/http/route-access';
import { Cached, L1FastPath } from '../../src/infra/cache';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';
import { seedDemo } from './demo-api';

/** A global guard the NestJS way: refuses callers that say they are blocked; counts what it sees. */
@Injectable()
class BlockListGuard implements CanActivate {
  static seen = 0;
  canActivate(context: ExecutionContext): boolean {
    BlockListGuard.seen++;
    if (context.switchToHttp().getRequest<FastifyRequest>().headers['x-caller'] === 'blocked') {
      throw new ForbiddenException('this caller is blocked');
    }
    return true;
  }
}

@Module({ providers: [{ provide: APP_GUARD, useClass: BlockListGuard }] })
class BlockListModule {}

/**
 * Cached routes that declare access other than public (guards elsewhere, none on the route), or
 * declare public but carry a controller-level guard.
 */
@Controller('not-public')
class NotPublicController {
  @Get()
  @GuardedBy()
  @Cached({ namespace: 'not-public', kind: 'list' })
  list() {
    return { ok: true };
  }
}

@Controller('guarded-public')
@UseGuards(BlockListGuard)
class GuardedPublicController {
  @Get()
  @Public()
  @Cached({ namespace: 'guarded-public', kind: 'list' })
  list() {
    return { ok: true };
  }
}

@Module({ controllers: [NotPublicController, GuardedPublicController] })
class FastPathProbeModule {}

function fastPathRoutes(api: TestApp): Map<string, unknown> {
  return (api.app.get(L1FastPath) as unknown as { routes: Map<string, unknown> }).routes;
}

describe('L1 fast path and guards: an L1 hit never skips a guard that would refuse the caller', () => {
  let ctx: TestContext;
  let guarded: TestApp;
  let open: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('fast-path-guards');
    guarded = await ctx.startApp({ DEMO_ROUTES: true }, [BlockListModule]);
    open = await ctx.startApp({ DEMO_ROUTES: true }, [FastPathProbeModule]);
    await seedDemo(guarded.http, 5);
  });
  afterAll(() => ctx.close());

  it('behind a global APP_GUARD, a public cached route held in L1 still answers 403 to a refused caller', async () => {
    // An allowed caller fills L1 (MISS) and reads it back (HIT): the route has had every chance to be learnt.
    await guarded.http.get('/demo/items?limit=3').expect(200);
    const hot = await guarded.http.get('/demo/items?limit=3').expect(200);
    expect(hot.headers['x-cache']).toBe('HIT');
    expect(hot.headers['x-cache-tier']).toBe('l1');

    const before = BlockListGuard.seen;
    for (let i = 0; i < 3; i++) {
      const refused = await guarded.http.get('/demo/items?limit=3').set('x-caller', 'blocked').expect(403);
      expect(refused.body.message).toBe('this caller is blocked');
      expect(refused.headers['x-cache']).toBeUndefined();
    }
    // Every request, hits included, went through the guard.
    const allowed = await guarded.http.get('/demo/items?limit=3').expect(200);
    expect(allowed.headers['x-cache']).toBe('HIT');
    expect(BlockListGuard.seen - before).toBe(4);
    expect(fastPathRoutes(guarded).size).toBe(0);
  });

  it('without a global guard the same public route is served by the fast path (the rule is not "never")', async () => {
    await open.http.get('/demo/items?limit=3').expect(200);
    expect((await open.http.get('/demo/items?limit=3').expect(200)).headers['x-cache']).toBe('HIT');
    expect([...fastPathRoutes(open).keys()]).toContain('/demo/items');
  });

  it('a cached route is not served before the pipeline unless it is declared public and no guard sees it', async () => {
    for (const path of ['/not-public', '/guarded-public']) {
      await open.http.get(path).expect(200);
      expect((await open.http.get(path).expect(200)).headers['x-cache']).toBe('HIT');
    }
    const before = BlockListGuard.seen;
    await open.http.get('/guarded-public').set('x-caller', 'blocked').expect(403);
    expect(BlockListGuard.seen - before).toBe(1);
    expect([...fastPathRoutes(open).keys()]).not.toContain('/not-public');
    expect([...fastPathRoutes(open).keys()]).not.toContain('/guarded-public');
  });
});
