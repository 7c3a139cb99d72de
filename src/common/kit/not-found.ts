import { NotFoundException } from '@nestjs/common';

/** The document, or a 404 naming what was looked for: `orNotFound(doc, \`game ${id}\`)` → "game … not found". */
export function orNotFound<T>(doc: T | null | undefined, what: string): T {
  if (doc === null || doc === undefined) throw new NotFoundException(`${what} not found`);
  return doc;
}
