import { Controller, Get, Module, Post } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { AdminOnly, Public, ROUTE_ACCESS } from '../../src/infra/http/route-access';
import { createTestContext, TestContext } from '../harness/test-app';

/** A resource's controller where one added route forgot to say who may call it. */
@Controller('undeclared-things')
class UndeclaredThingsController {
  @Get(':id')
  @Public()
  get() {
    return { ok: true };
  }

  @Get(':id/summary')
  summary() {
    return { secret: true };
  }

  @Post()
  @AdminOnly()
  create() {
    return { ok: true };
  }
}

@Module({ controllers: [UndeclaredThingsController] })
class ModuleWithUndeclaredRoute {}

/** Access declared once for the whole controller covers every route of it. */
@Controller('declared-things')
@Public()
class DeclaredAtControllerController {
  @Get('summary')
  summary() {
    return { ok: true };
  }
}

@Module({ controllers: [DeclaredAtControllerController] })
class ModuleDeclaredAtController {}

/** Security is declared once per route: every route says who may call it (@Public, @AdminOnly, @Authenticated, @GuardedBy). */
describe('route access declarations', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext('route-access')));
  afterAll(() => ctx.close());

  it('the app refuses to start while a route declares no access, naming it (deny by default)', async () => {
    const start = ctx.startApp({}, [ModuleWithUndeclaredRoute]);
    await expect(start).rejects.toThrow('UndeclaredThingsController.summary (GET /undeclared-things/:id/summary)');
    // Only the undeclared route is named.
    await expect(start).rejects.toThrow(/These declare nothing:\n {2}UndeclaredThingsController\.summary \([^)]*\)$/);
  });

  it('a declaration on the controller covers its routes', async () => {
    const { http } = await ctx.startApp({}, [ModuleDeclaredAtController]);
    await http.get('/declared-things/summary').expect(200);
  });

  it('every route of every module (demo routes included) declares its access on the route or its controller', async () => {
    const { app } = await ctx.startApp({ DEMO_ROUTES: true });
    const reflector = app.get(Reflector);
    const undeclared: string[] = [];
    let routes = 0;
    for (const module of app.get(ModulesContainer).values()) {
      for (const { metatype } of module.controllers.values()) {
        if (!metatype) continue;
        const proto = (metatype as { prototype: object }).prototype;
        const names = new Set<string>();
        for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
          for (const name of Object.getOwnPropertyNames(p)) names.add(name);
        }
        for (const name of names) {
          const handler = (proto as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined || Reflect.getMetadata(PATH_METADATA, handler) === undefined)
            continue;
          routes++;
          if (!reflector.getAllAndOverride(ROUTE_ACCESS, [handler, metatype])) undeclared.push(`${metatype.name}.${name}`);
        }
      }
    }
    expect(routes).toBeGreaterThan(40);
    expect(undeclared).toEqual([]);
  });
});
