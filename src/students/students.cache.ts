import { scopedNamespace } from '../infra/cache';

/**
 * Cache namespaces of the module. Cached answers hold MASKED CPFs only ("public" scope): callers
 * allowed to see full CPFs bypass the cache (see results-access.guard.ts), so a full CPF is never
 * stored. Every public namespace carries the fingerprint of the editions visible when it was
 * answered (see publication/visible-editions.ts):
 *   students.public-<fp>:id:<registration>      GET /students/:registration
 *   students.public-<fp>:list[:sha1]            GET /students?name=&course=&status=&edition=&page=&limit=
 *   students-by-name.public-<fp>:id:<name>      GET /students/by-name/:name
 *   rankings.<course>-<fp>:list[:sha1]          GET /courses/:course/ranking?edition=&limit=
 */
export const PUBLIC_SCOPE = 'public';
export const STUDENTS_BASE_NS = 'students';
export const BY_NAME_BASE_NS = 'students-by-name';
export const RANKINGS_BASE_NS = 'rankings';

/** The namespaces of answers given while the editions fingerprinted `fingerprint` are the visible ones. */
export const studentsNamespace = (fingerprint: string) => scopedNamespace(STUDENTS_BASE_NS, `${PUBLIC_SCOPE}-${fingerprint}`);
export const byNameNamespace = (fingerprint: string) => scopedNamespace(BY_NAME_BASE_NS, `${PUBLIC_SCOPE}-${fingerprint}`);
export const rankingNamespace = (course: string, fingerprint: string) => scopedNamespace(RANKINGS_BASE_NS, `${course}-${fingerprint}`);
