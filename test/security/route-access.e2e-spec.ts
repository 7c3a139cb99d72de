import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { ROUTE_ACCESS } from '../../src/common/kit/access';
import { createTestContext, TestContext } from '../harness/test-app';

/** Security is declared once per route: every route says who may call it (@Public, @AdminOnly, @Authenticated, @GuardedBy). */
describe('route access declarations', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext('route-access')));
  afterAll(() => ctx.close());

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
