/**
 * Exam editions: every result belongs to one (`2026-fuvest`), and an edition's results are public
 * only from its publication instant on (see publication/). Lowercase letters, digits and hyphens,
 * so an edition id is safe in cache keys and URLs as it is.
 */
export const EDITION_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const EDITION_MESSAGE = 'edition must be 1-40 lowercase letters, digits or hyphens (e.g. 2026-fuvest)';

/** The edition of generated data and of results created without one. */
export const DEFAULT_EDITION = '2026-fuvest';

/** When the default edition's results were published (the generated data's results day). */
export const DEFAULT_EDITION_PUBLISHED_AT = new Date('2026-01-30T15:00:00Z');
