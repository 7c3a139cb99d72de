import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { SortOrder } from 'mongoose';
import { PaginationQuery } from '../pagination';
import { IsFilterText, MAX_SEARCH_LENGTH } from '../text-rules';

/** Escapes a user's text so it matches literally inside a RegExp (no ReDoS, no operators). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Case-insensitive "contains" on a field; the stand-in has no $text index search, and titles are short. */
export function containsText(text: string): { $regex: string; $options: string } {
  return { $regex: escapeRegex(text), $options: 'i' };
}

/** Every accepted `sort` value for a whitelist of fields: `field` (ascending) and `-field` (descending). */
export function sortValues(fields: readonly string[]): string[] {
  return fields.flatMap((f) => [f, `-${f}`]);
}

/**
 * `sort=-year` → `{ year: -1, _id: 1 }`; `_id` breaks ties so pages never overlap. `columns` maps API
 * names to stored ones (price → price_cents). Without a sort, insertion order (`_id`).
 */
export function sortSpec(sort: string | undefined, columns: Record<string, string> = {}): Record<string, SortOrder> {
  if (!sort) return { _id: 1 };
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  return { [columns[field] ?? field]: descending ? -1 : 1, _id: 1 };
}

/** `{ $gte, $lte }` for the bounds that are given, or undefined when neither is. */
export function range(min: number | undefined, max: number | undefined): { $gte?: number; $lte?: number } | undefined {
  if (min === undefined && max === undefined) return undefined;
  return { ...(min !== undefined && { $gte: min }), ...(max !== undefined && { $lte: max }) };
}

/**
 * A list query with `?page=&limit=`, `?q=` (case-insensitive text, up to 64 characters; the service
 * decides which field it searches, with `containsText`) and `?sort=field|-field` from a whitelist.
 * Extend it with the resource's own filters.
 */
export function SearchableListQuery(sortFields: readonly string[], search: { example: string; description: string }) {
  class SearchableListQueryBase extends PaginationQuery {
    @ApiPropertyOptional({ ...search, maxLength: MAX_SEARCH_LENGTH })
    @IsOptional()
    @IsFilterText(MAX_SEARCH_LENGTH)
    q?: string;

    @ApiPropertyOptional({ enum: sortValues(sortFields), description: 'field, or -field for descending' })
    @IsOptional()
    @IsIn(sortValues(sortFields))
    sort?: string;
  }
  return SearchableListQueryBase;
}
