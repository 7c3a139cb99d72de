import { scopedNamespace } from '../infra/cache';

/**
 * Cache namespaces of the module. Cached answers hold MASKED CPFs only ("public" scope): callers
 * allowed to see full CPFs bypass the cache (see cpf-access.guard.ts), so a full CPF is never stored.
 *   students.public:id:<registration>      GET /students/:registration
 *   students.public:list[:sha1]            GET /students?name=&course=&status=&page=&limit=
 *   students-by-name.public:id:<name>      GET /students/by-name/:name
 *   rankings.<course>:list[:sha1]          GET /courses/:course/ranking?limit=
 */
export const PUBLIC_SCOPE = 'public';
export const STUDENTS_BASE_NS = 'students';
export const BY_NAME_BASE_NS = 'students-by-name';
export const RANKINGS_BASE_NS = 'rankings';

export const STUDENTS_NS = scopedNamespace(STUDENTS_BASE_NS, PUBLIC_SCOPE);
export const BY_NAME_NS = scopedNamespace(BY_NAME_BASE_NS, PUBLIC_SCOPE);
export const rankingNamespace = (course: string) => scopedNamespace(RANKINGS_BASE_NS, course);
