import { Body, Delete, Get, Inject, Param, Patch, Post, Put, Query, Type } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { Cached } from '../../infra/cache';
import { ApiErrors } from '../../infra/http/api-errors.decorator';
import { ObjectIdParam } from '../object-id';
import type { Page } from '../pagination';
import { Public } from './access';

/** What the generated routes call: a CachedCrudService fits. */
export interface CrudOperations<TView, TQuery, TCreate, TUpdate> {
  list(query: TQuery): Promise<Page<TView>>;
  get(id: string): Promise<TView>;
  create(dto: TCreate): Promise<TView>;
  replace(id: string, dto: TCreate): Promise<TView>;
  update(id: string, dto: TUpdate): Promise<TView>;
  remove(id: string): Promise<TView>;
}

export interface CrudRoutes {
  plural: string;
  /** Classes the validation pipe and Swagger read (generic parameters carry no runtime type). */
  types: { view: Type; page: Type; query: Type; create: Type; update: Type; replace?: Type };
  /**
   * Who may write, e.g. `AdminOnly` from auth/access (the kit imports no feature, so it is passed in).
   * Reads are `@Public()` and `@Cached`, so an L1 hit is answered before the Nest pipeline.
   */
  writeAccess: () => MethodDecorator;
  /** 409 description on writes, for resources with a unique index ("email already exists"). */
  conflict?: string;
}

/** Sets the parameter types Nest's pipes and Swagger read, where TypeScript would emit Object. */
const ParamTypes =
  (...types: Type[]): MethodDecorator =>
  (target, key) =>
    Reflect.defineMetadata('design:paramtypes', types, target, key);

/**
 * The six routes of a cached resource: `GET /` and `GET /:id` public and cached, `POST /`,
 * `PUT /:id`, `PATCH /:id` and `DELETE /:id` behind `writeAccess`. Extend the returned class with
 * `@Controller('<path>')` and `@ApiTag(...)`; add more routes in the subclass, each with its access
 * declared. `this.service` is the resource's own service (its type), so an added route calls the
 * service's own methods directly.
 */
export function CachedCrudController<TService extends CrudOperations<unknown, unknown, unknown, unknown>>(
  service: Type<TService> & { resource: { namespace: string; noun: string } },
  o: CrudRoutes,
) {
  const { view, page, query, create, update, replace = create } = o.types;
  // The service's resource: its namespace keys the cached routes, its noun names the 404s.
  const { namespace, noun } = service.resource;
  const notFound = { 404: `no such ${noun}` };
  const onWrite = o.conflict ? { 409: o.conflict } : {};

  class CachedCrudControllerBase {
    constructor(@Inject(service) protected readonly service: TService) {}

    @Get()
    @Public()
    @Cached({ namespace, kind: 'list' })
    @ApiOperation({
      summary: `List ${o.plural} (filters, sort, pagination)`,
      description: `Public. Each distinct query is cached: the first answer reads MongoDB (\`X-Cache: MISS\`), repeats come from memory or Redis (\`HIT\`) until a write to any ${noun} drops the ${o.plural} lists. \`sort=field\` or \`sort=-field\`; \`page\` and \`limit\` (at most 100).`,
    })
    @ApiOkResponse({ type: page })
    @ParamTypes(query)
    list(@Query() q: unknown) {
      return this.service.list(q);
    }

    @Get(':id')
    @Public()
    @Cached({ namespace, kind: 'id' })
    @ApiOperation({
      summary: `Get one ${noun} by id`,
      description: `Public and cached per id: a write to this ${noun} drops its copy on every instance before it answers. Send the \`ETag\` back in \`If-None-Match\` to get a 304.`,
    })
    @ApiOkResponse({ type: view })
    @ApiErrors(notFound)
    @ParamTypes(ObjectIdParam)
    get(@Param() { id }: ObjectIdParam) {
      return this.service.get(id);
    }

    @Post()
    @o.writeAccess()
    @ApiOperation({
      summary: `Create a ${noun}`,
      description: `Every field is validated; unknown fields are refused (400). Drops the cached ${o.plural} lists.`,
    })
    @ApiCreatedResponse({ type: view })
    @ApiErrors(onWrite)
    @ParamTypes(create)
    create(@Body() dto: unknown) {
      return this.service.create(dto);
    }

    @Put(':id')
    @o.writeAccess()
    @ApiOperation({
      summary: `Replace a ${noun} (every field required)`,
      description: `Every field is required, as on create. Drops the ${noun}'s cached copy and the ${o.plural} lists.`,
    })
    @ApiOkResponse({ type: view })
    @ApiErrors({ ...notFound, ...onWrite })
    @ParamTypes(ObjectIdParam, replace)
    replace(@Param() { id }: ObjectIdParam, @Body() dto: unknown) {
      return this.service.replace(id, dto);
    }

    @Patch(':id')
    @o.writeAccess()
    @ApiOperation({
      summary: `Change some fields of a ${noun}`,
      description: `Only the fields sent change, each validated as on create. Drops the ${noun}'s cached copy and the ${o.plural} lists.`,
    })
    @ApiOkResponse({ type: view })
    @ApiErrors({ ...notFound, ...onWrite })
    @ParamTypes(ObjectIdParam, update)
    update(@Param() { id }: ObjectIdParam, @Body() dto: unknown) {
      return this.service.update(id, dto);
    }

    @Delete(':id')
    @o.writeAccess()
    @ApiOperation({
      summary: `Delete a ${noun}`,
      description: `Answers the deleted ${noun}; its cached copy and the ${o.plural} lists are dropped.`,
    })
    @ApiOkResponse({ type: view, description: `the deleted ${noun}` })
    @ApiErrors(notFound)
    @ParamTypes(ObjectIdParam)
    remove(@Param() { id }: ObjectIdParam) {
      return this.service.remove(id);
    }
  }
  return CachedCrudControllerBase;
}
