import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { orNotFound } from '../common/kit';
import { InjectModel } from '@nestjs/mongoose';
import { Model, QueryFilter } from 'mongoose';
import { containsText } from '../common/kit/list-query';
import { Page, pageWindow } from '../common/pagination';
import { findCourse, type StudentStatus } from './courses';
import { normalizeCpf } from './cpf';
import { CreateStudentDto, UpdateStudentDto } from './dto/student-input.dto';
import { DEFAULT_RANKING_LIMIT, ListStudentsQuery } from './dto/student-query.dto';
import { Ranking, RankingEntry, StudentsByName, StudentView, toStudentView } from './dto/student.response';
import { finalScore, Scores } from './scoring';
import { Student } from './schemas/student.schema';
import { StudentRankingService } from './student-ranking.service';
import { StudentsCacheService } from './students-cache.service';

/** The seed repeated names; a name query returns every match, capped so one request stays bounded. */
export const MAX_NAME_MATCHES = 1000;

@Injectable()
export class StudentsService {
  constructor(
    @InjectModel(Student.name) private readonly students: Model<Student>,
    private readonly ranking: StudentRankingService,
    private readonly cacheSync: StudentsCacheService,
  ) {}

  async findOne(registration: string, fullCpf: boolean): Promise<StudentView> {
    const doc = orNotFound(await this.students.findById(registration).lean<Student>().exec(), `student ${registration}`);
    return toStudentView(doc, fullCpf);
  }

  async list(query: ListStudentsQuery, fullCpf: boolean): Promise<Page<StudentView>> {
    const filter: QueryFilter<Student> = {};
    if (query.name) filter.name = containsText(query.name);
    if (query.course) filter.course = query.course;
    if (query.status) filter.status = query.status as StudentStatus;
    const { page, limit, skip } = pageWindow(query);
    const [docs, total] = await Promise.all([
      this.students.find(filter).sort({ course: 1, classification: 1, _id: 1 }).skip(skip).limit(limit).lean<Student[]>().exec(),
      this.students.countDocuments(filter).exec(),
    ]);
    return { items: docs.map((d) => toStudentView(d, fullCpf)), total, page, limit };
  }

  async byName(name: string, fullCpf: boolean): Promise<StudentsByName> {
    const docs = await this.students
      .find({ name })
      .sort({ course: 1, classification: 1, _id: 1 })
      .limit(MAX_NAME_MATCHES)
      .lean<Student[]>()
      .exec();
    if (docs.length === 0) throw new NotFoundException(`no student named "${name}"`);
    return { name, count: docs.length, items: docs.map((d) => toStudentView(d, fullCpf)) };
  }

  async courseRanking(code: string, limit = DEFAULT_RANKING_LIMIT): Promise<Ranking> {
    const course = findCourse(code);
    if (!course) throw new NotFoundException(`unknown course "${code}"`);
    const filter = { course: code, classification: { $ne: null } };
    const [docs, total] = await Promise.all([
      this.students
        .find(filter, { name: 1, campus: 1, final_score: 1, classification: 1, status: 1 })
        .sort({ classification: 1 })
        .limit(limit)
        .lean<Student[]>()
        .exec(),
      this.students.countDocuments(filter).exec(),
    ]);
    const items: RankingEntry[] = docs.map((d) => ({
      classification: d.classification!,
      registration: d._id,
      name: d.name,
      campus: d.campus,
      final_score: d.final_score,
      status: d.status!,
    }));
    return { course: course.code, course_name: course.name, seats: course.seats, total, items };
  }

  /** Stores one result and places it in its course's ranking. */
  async create(dto: CreateStudentDto): Promise<StudentView> {
    const scores = pickScores(dto.scores);
    try {
      await this.students.create({
        _id: dto.registration,
        name: dto.name,
        cpf: normalizeCpf(dto.cpf)!,
        email: dto.email.toLowerCase(),
        birth_date: new Date(`${dto.birth_date}T00:00:00Z`),
        course: dto.course,
        campus: dto.campus,
        scores,
        final_score: finalScore(scores),
        classification: null,
        status: null,
        published_at: new Date(),
      });
    } catch (error) {
      throw registrationConflict(error) ?? error;
    }
    const moved = await this.ranking.rerank([dto.course]);
    await this.cacheSync.invalidate({
      registrations: [dto.registration, ...moved.registrations],
      names: [dto.name, ...moved.names],
      courses: [dto.course],
    });
    return this.findOne(dto.registration, true);
  }

  async update(registration: string, dto: UpdateStudentDto): Promise<StudentView> {
    const set: Partial<Student> = {};
    if (dto.name !== undefined) set.name = dto.name;
    if (dto.cpf !== undefined) set.cpf = normalizeCpf(dto.cpf)!;
    if (dto.email !== undefined) set.email = dto.email.toLowerCase();
    if (dto.birth_date !== undefined) set.birth_date = new Date(`${dto.birth_date}T00:00:00Z`);
    if (dto.course !== undefined) set.course = dto.course;
    if (dto.campus !== undefined) set.campus = dto.campus;
    if (dto.scores !== undefined) {
      set.scores = pickScores(dto.scores);
      set.final_score = finalScore(set.scores);
    }
    if (Object.keys(set).length === 0) throw new BadRequestException('nothing to update: give at least one field');

    // The previous version: its name and course have cached answers too.
    const before = orNotFound(
      await this.students.findOneAndUpdate({ _id: registration }, { $set: set }, { returnDocument: 'before' }).lean<Student>(),
      `student ${registration}`,
    );
    const courses = [before.course, set.course ?? before.course];
    const rankChanged = set.scores !== undefined || set.course !== undefined || set.birth_date !== undefined;
    const moved = rankChanged ? await this.ranking.rerank(courses) : { registrations: [], names: [] };
    await this.cacheSync.invalidate({
      registrations: [registration, ...moved.registrations],
      names: [before.name, set.name ?? before.name, ...moved.names],
      courses,
    });
    return this.findOne(registration, true);
  }

  /** Removes the result from MongoDB and both cache tiers; the course ranks close up. */
  async remove(registration: string): Promise<void> {
    const removed = orNotFound(await this.students.findOneAndDelete({ _id: registration }).lean<Student>(), `student ${registration}`);
    const moved = await this.ranking.rerank([removed.course]);
    await this.cacheSync.invalidate({
      registrations: [registration, ...moved.registrations],
      names: [removed.name, ...moved.names],
      courses: [removed.course],
    });
  }
}

/** Copies exactly the five areas (the DTO instance carries nothing else, but the stored shape is fixed here). */
function pickScores(s: Scores): Scores {
  return {
    languages: s.languages,
    human_sciences: s.human_sciences,
    natural_sciences: s.natural_sciences,
    mathematics: s.mathematics,
    essay: s.essay,
  };
}

/** `_id` is the registration: say so instead of the filter's generic "_id already exists". */
function registrationConflict(error: unknown): ConflictException | undefined {
  const e = error as { code?: number; message?: string; keyPattern?: Record<string, unknown> };
  if (e?.code !== 11000) return undefined;
  const onId = e.keyPattern ? '_id' in e.keyPattern : /dup key: \{ ?"?_id"?\s*:/.test(e.message ?? '');
  return onId ? new ConflictException('registration already exists') : undefined;
}
