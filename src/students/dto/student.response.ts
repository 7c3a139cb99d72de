import { ApiProperty } from '@nestjs/swagger';
import { PageMeta } from '../../common/pagination';
import { CAMPUSES, COURSE_CODES, STUDENT_STATUSES, type StudentStatus, WAITING_LIST_FACTOR } from '../courses';
import { formatCpf, maskCpf } from '../cpf';
import { WEIGHTING_DESCRIPTION } from '../scoring';
import type { Student } from '../schemas/student.schema';
import { ScoresDto } from './student-input.dto';

export class StudentView {
  @ApiProperty({ example: '2600000001' }) registration: string;
  @ApiProperty({ example: '2026-fuvest' }) edition: string;
  @ApiProperty({ example: 'Beatriz Carvalho Lima' }) name: string;
  @ApiProperty({ example: '***.456.789-**', description: 'masked unless the caller may see whole CPFs (today: the admin token)' })
  cpf: string;
  @ApiProperty({ example: 'beatriz.lima@example.com' }) email: string;
  @ApiProperty({ example: '2007-05-14' }) birth_date: string;
  @ApiProperty({ enum: COURSE_CODES }) course: string;
  @ApiProperty({ enum: CAMPUSES }) campus: string;
  @ApiProperty({ type: ScoresDto }) scores: ScoresDto;
  @ApiProperty({ example: 650.5, description: WEIGHTING_DESCRIPTION }) final_score: number;
  @ApiProperty({ nullable: true, type: Number, example: 12, description: 'rank within the course (1 = best)' }) classification:
    number | null;
  @ApiProperty({
    enum: STUDENT_STATUSES,
    nullable: true,
    description: `approved: classification ≤ the course seats; waiting_list: the next ${WAITING_LIST_FACTOR}× seats; else not_classified`,
  })
  status: StudentStatus | null;
  @ApiProperty({ example: '2026-01-30T12:00:00.000Z' }) published_at: string;
}

export class StudentPage extends PageMeta {
  @ApiProperty({ type: [StudentView] }) items: StudentView[];
}

export class StudentsByName {
  @ApiProperty({ example: 'Beatriz Carvalho Lima' }) name: string;
  @ApiProperty({ example: 1 }) count: number;
  @ApiProperty({ type: [StudentView] }) items: StudentView[];
}

export class RankingEntry {
  @ApiProperty({ example: 1 }) classification: number;
  @ApiProperty({ example: '2600000417' }) registration: string;
  @ApiProperty({ example: 'Rafael Nogueira Santos' }) name: string;
  @ApiProperty({ example: 'São Paulo' }) campus: string;
  @ApiProperty({ example: 812.38 }) final_score: number;
  @ApiProperty({ enum: STUDENT_STATUSES }) status: StudentStatus;
}

export class Ranking {
  @ApiProperty({ example: 'medicina' }) course: string;
  @ApiProperty({ example: 'Medicina' }) course_name: string;
  @ApiProperty({ example: 60 }) seats: number;
  @ApiProperty({ nullable: true, type: String, example: '2026-fuvest', description: 'the edition ranked (null: none published yet)' })
  edition: string | null;
  @ApiProperty({ example: 842, description: 'ranked candidates of the edition in the course' }) total: number;
  @ApiProperty({ type: [RankingEntry] }) items: RankingEntry[];
}

/**
 * The API shape of a stored student. The warm-up and the GET route both use it, so a warmed entry
 * is byte-for-byte what the route would have cached.
 */
export function toStudentView(doc: Student, fullCpf: boolean): StudentView {
  // Outside writers may leave fields out; the view must still render.
  const cpf = String(doc.cpf ?? '');
  return {
    registration: doc._id,
    edition: doc.edition,
    name: doc.name,
    cpf: fullCpf ? formatCpf(cpf) : maskCpf(cpf),
    email: doc.email,
    birth_date: doc.birth_date instanceof Date ? doc.birth_date.toISOString().slice(0, 10) : String(doc.birth_date),
    course: doc.course,
    campus: doc.campus,
    scores: {
      languages: doc.scores?.languages,
      human_sciences: doc.scores?.human_sciences,
      natural_sciences: doc.scores?.natural_sciences,
      mathematics: doc.scores?.mathematics,
      essay: doc.scores?.essay,
    },
    final_score: doc.final_score,
    classification: doc.classification ?? null,
    status: doc.status ?? null,
    published_at: doc.published_at instanceof Date ? doc.published_at.toISOString() : String(doc.published_at),
  };
}
