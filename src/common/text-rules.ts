import { applyDecorators } from '@nestjs/common';
import { IsString, ValidateBy } from 'class-validator';

export const MAX_TITLE_LENGTH = 200;

/**
 * Characters a title may not contain: C0/C1 controls (NUL, newlines, escape sequences) and the
 * bidirectional overrides and isolates that make text display differently from what it is
 * (e.g. "invoice‮fdp.exe").
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_TEXT = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export const TITLE_RULE = `1-${MAX_TITLE_LENGTH} characters, without control or bidirectional-override characters`;

/** The one rule for titles everywhere (collections, uploads), for code that is not a DTO. */
export function isValidTitle(title: string): boolean {
  return title.length > 0 && title.length <= MAX_TITLE_LENGTH && !FORBIDDEN_IN_TEXT.test(title);
}

/** True when `text` holds a control or bidirectional-override character (the title rule's exclusions). */
export function hasForbiddenCharacters(text: string): boolean {
  return FORBIDDEN_IN_TEXT.test(text);
}

/** Longest text search (`?q=`): a case-insensitive "contains" scans every candidate with it. */
export const MAX_SEARCH_LENGTH = 64;

/**
 * A text filter of a list (`?q=`, a genre, a name): 1-`maxLength` characters, without control or
 * bidirectional-override characters (a NUL would otherwise reach MongoDB, and an override make a
 * filter display differently from what it matches).
 */
export function IsFilterText(maxLength: number): PropertyDecorator {
  return applyDecorators(
    IsString(),
    ValidateBy({
      name: 'isFilterText',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && value.length > 0 && value.length <= maxLength && !FORBIDDEN_IN_TEXT.test(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'the filter'} must be 1-${maxLength} characters, without control or bidirectional-override characters`,
      },
    }),
  );
}

/** The same rule as a class-validator decorator (apply after trimming). */
export function IsTitle(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    ValidateBy({
      name: 'isTitle',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidTitle(value),
        defaultMessage: () => `title must be ${TITLE_RULE}`,
      },
    }),
  );
}
