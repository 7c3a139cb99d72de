/**
 * The course catalogue: the one place that says which courses exist and how many seats each has.
 * Status rule (applied by the ranking pipeline): rank <= seats → approved; the next
 * `seats * WAITING_LIST_FACTOR` ranks → waiting_list; everyone after → not_classified.
 */
export interface Course {
  code: string;
  name: string;
  seats: number;
  /** relative share of candidates, for the generator */
  demand: number;
}

export const COURSES: readonly Course[] = [
  { code: 'medicina', name: 'Medicina', seats: 60, demand: 14 },
  { code: 'direito', name: 'Direito', seats: 120, demand: 12 },
  { code: 'engenharia-civil', name: 'Engenharia Civil', seats: 80, demand: 8 },
  { code: 'engenharia-de-computacao', name: 'Engenharia de Computação', seats: 60, demand: 7 },
  { code: 'ciencia-da-computacao', name: 'Ciência da Computação', seats: 80, demand: 9 },
  { code: 'administracao', name: 'Administração', seats: 150, demand: 10 },
  { code: 'psicologia', name: 'Psicologia', seats: 90, demand: 9 },
  { code: 'enfermagem', name: 'Enfermagem', seats: 100, demand: 7 },
  { code: 'arquitetura-e-urbanismo', name: 'Arquitetura e Urbanismo', seats: 50, demand: 6 },
  { code: 'odontologia', name: 'Odontologia', seats: 50, demand: 6 },
  { code: 'pedagogia', name: 'Pedagogia', seats: 150, demand: 6 },
  { code: 'letras', name: 'Letras', seats: 100, demand: 6 },
];

export const WAITING_LIST_FACTOR = 2;

export const COURSE_CODES = COURSES.map((c) => c.code);

export const CAMPUSES = ['São Paulo', 'Campinas', 'Ribeirão Preto', 'São Carlos', 'Bauru'] as const;

export const STUDENT_STATUSES = ['approved', 'waiting_list', 'not_classified'] as const;
export type StudentStatus = (typeof STUDENT_STATUSES)[number];

const byCode = new Map(COURSES.map((c) => [c.code, c]));

export function findCourse(code: string): Course | undefined {
  return byCode.get(code);
}

/** The same rule as the pipeline, for code that needs it outside MongoDB (tests, docs). */
export function statusForRank(rank: number, seats: number): StudentStatus {
  if (rank <= seats) return 'approved';
  if (rank <= seats * (1 + WAITING_LIST_FACTOR)) return 'waiting_list';
  return 'not_classified';
}
