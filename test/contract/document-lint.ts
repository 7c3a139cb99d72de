import Ajv from 'ajv';

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
  example?: unknown;
}
interface Response {
  content?: Record<string, MediaType>;
  headers?: Record<string, unknown>;
}
interface Operation {
  summary?: string;
  description?: string;
  responses?: Record<string, Response>;
  'x-cache-namespace'?: string;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const ERROR_SCHEMA = '#/components/schemas/ErrorBodyDto';
/** Error answers that document a body of their own instead of the shared error body, and why. */
const OWN_ERROR_BODIES: Record<string, string> = {
  'GET /health 503': 'the health report itself, with mongo: down',
  'GET /health/ready 503': 'the health report itself, with mongo: down',
};
const CACHE_HEADERS = ['X-Cache', 'X-Cache-Tier', 'ETag'];

/** Everything /docs-json fails to tell a consumer, by kind; each list names the operation and what is missing. */
export function documentProblems(document: Document) {
  const problems = {
    summaries: [] as string[],
    successExamples: [] as string[],
    propertyExamples: new Set<string>(),
    errors: [] as string[],
    cacheHeaders: [] as string[],
  };
  // OpenAPI 3.0 schemas (nullable, example) as JSON Schema; formats are not what is checked here.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ components: document.components }, 'document');
  const conforms = (schema: Schema, example: unknown): string | undefined => {
    const validate = ajv.compile(rebase(schema));
    return validate(example) ? undefined : ajv.errorsText(validate.errors);
  };

  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const name = `${method.toUpperCase()} ${path}`;
      if (!operation.summary?.trim()) problems.summaries.push(`${name}: no summary`);
      if (!operation.description?.trim()) problems.summaries.push(`${name}: no description`);
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        const where = `${name} ${status}`;
        if (status.startsWith('2')) {
          if (!response.content && status !== '204') problems.successExamples.push(`${where}: no body documented`);
          if (json?.example === undefined && json) problems.successExamples.push(`${where}: no example`);
          if (json?.schema && json.example !== undefined) {
            const mismatch = conforms(json.schema, json.example);
            if (mismatch) problems.successExamples.push(`${where}: example does not match the schema (${mismatch})`);
            for (const leaf of leavesWithoutExample(json.schema, document, where)) problems.propertyExamples.add(leaf);
          }
          if (operation['x-cache-namespace'] !== undefined) {
            const missing = CACHE_HEADERS.filter((header) => !response.headers?.[header]);
            if (missing.length) problems.cacheHeaders.push(`${where}: cached, but ${missing.join(', ')} not declared`);
          }
        }
        if (Number(status) >= 400) {
          if (OWN_ERROR_BODIES[where]) {
            if (json?.example === undefined) problems.errors.push(`${where}: no example`);
            continue;
          }
          if (json?.schema?.$ref !== ERROR_SCHEMA) problems.errors.push(`${where}: not the shared error body`);
          else if (json.example === undefined) problems.errors.push(`${where}: no example`);
          else {
            const mismatch = conforms(json.schema, json.example);
            if (mismatch) problems.errors.push(`${where}: example does not match the error body (${mismatch})`);
            if ((json.example as { statusCode?: number }).statusCode !== Number(status))
              problems.errors.push(`${where}: example has another statusCode`);
          }
          if ((status === '429' || status === '503') && !response.headers?.['Retry-After'])
            problems.errors.push(`${where}: Retry-After not declared`);
        }
      }
    }
  }
  return { ...problems, propertyExamples: [...problems.propertyExamples].sort() };
}

/** The schema with its component references pointing into the document registered with Ajv. */
function rebase(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"document#/components/')) as Schema;
}

/**
 * Properties whose values an example would have to invent ("string", 0): no example, enum or
 * default of their own, nor one on an enclosing object. Named `Schema.property`.
 */
function leavesWithoutExample(schema: Schema, document: Document, where: string, seen = new Set<string>()): string[] {
  const ref = schema.$ref as string | undefined;
  if (ref) {
    const name = ref.split('/').pop()!;
    if (seen.has(name)) return [];
    return leavesWithoutExample(document.components.schemas[name], document, name, new Set([...seen, name]));
  }
  if ('example' in schema || 'enum' in schema || 'default' in schema) return [];
  const parts = ['allOf', 'oneOf', 'anyOf'].flatMap((key) => (schema[key] as Schema[] | undefined) ?? []);
  if (parts.length) return parts.flatMap((part) => leavesWithoutExample(part, document, where, seen));
  if (schema.properties) {
    return Object.entries(schema.properties as Record<string, Schema>).flatMap(([key, value]) =>
      leavesWithoutExample(value, document, `${where}.${key}`, seen),
    );
  }
  if (schema.type === 'array') return leavesWithoutExample((schema.items as Schema) ?? {}, document, `${where}[]`, seen);
  if (typeof schema.additionalProperties === 'object') return [`${where} (a map: give the property an example)`];
  if (schema.type === 'object') return [];
  return [where];
}
