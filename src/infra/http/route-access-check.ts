import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { ROUTE_ACCESS } from './route-access';

export interface ControllerRoute {
  /** `GamesController.summary` */
  handler: string;
  /** `GET /games/:id/summary` (several paths joined with " | ") */
  route: string;
  declared: boolean;
}

/** Every route handler of every controller of the app, inherited ones included, and whether it declares access. */
export function controllerRoutes(modules: ModulesContainer): ControllerRoute[] {
  const controllers = new Set<Type>();
  for (const module of modules.values()) {
    for (const { metatype } of module.controllers.values()) if (metatype) controllers.add(metatype as Type);
  }
  const scanner = new MetadataScanner();
  const routes: ControllerRoute[] = [];
  for (const controller of controllers) {
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name];
      if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      const method = RequestMethod[(Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined) ?? RequestMethod.GET];
      const paths = joinPaths(Reflect.getMetadata(PATH_METADATA, controller), Reflect.getMetadata(PATH_METADATA, handler));
      routes.push({
        handler: `${controller.name}.${name}`,
        route: `${method} ${paths.join(' | ')}`,
        // Reflect.getMetadata walks the prototype chain: a declaration on a base class or its method counts.
        declared: Reflect.getMetadata(ROUTE_ACCESS, handler) !== undefined || Reflect.getMetadata(ROUTE_ACCESS, controller) !== undefined,
      });
    }
  }
  return routes;
}

export class UndeclaredRouteAccessError extends Error {
  constructor(readonly routes: ControllerRoute[]) {
    super(
      'every route must declare who may call it, on the route or its controller: @Public(), @AdminOnly(), ' +
        '@Authenticated() or @GuardedBy(guard) (src/infra/http/route-access.ts). These declare nothing:\n' +
        routes.map((r) => `  ${r.handler} (${r.route})`).join('\n'),
    );
    this.name = 'UndeclaredRouteAccessError';
  }
}

/** Deny by default: the app does not start while a route is open to anyone without saying so. */
export function assertEveryRouteDeclaresAccess(modules: ModulesContainer): void {
  const undeclared = controllerRoutes(modules).filter((route) => !route.declared);
  if (undeclared.length > 0) throw new UndeclaredRouteAccessError(undeclared);
}

function joinPaths(prefixes: unknown, paths: unknown): string[] {
  const list = (value: unknown) => (Array.isArray(value) ? value : [value ?? '']).map(String);
  return list(prefixes).flatMap((prefix) =>
    list(paths).map(
      (path) =>
        `/${[prefix, path]
          .flatMap((part) => part.split('/'))
          .filter(Boolean)
          .join('/')}`,
    ),
  );
}
