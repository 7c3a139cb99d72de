import type { OpenAPIObject } from '@nestjs/swagger';

type Schema = Record<string, unknown>;

/**
 * The global ValidationPipe rejects unknown body fields (`forbidNonWhitelisted`), nested DTOs
 * included; this says so in the document: every component schema reachable from a JSON request
 * body gets `additionalProperties: false` unless it declares its own (free-form objects such as
 * a spending filter are inline schemas and keep theirs).
 */
export function closeRequestBodySchemas(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
      const name = ref.slice('#/components/schemas/'.length);
      const target = components[name];
      if (!target || seen.has(name)) return;
      seen.add(name);
      if (target.type === 'object' && target.additionalProperties === undefined) target.additionalProperties = false;
      return visit(target);
    }
    Object.values(node).forEach(visit);
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, { requestBody?: { content?: Record<string, unknown> } }>)) {
      const json = operation?.requestBody?.content?.['application/json'];
      if (json) visit(json);
    }
  }
  return document;
}
