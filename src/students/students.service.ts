import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { orNotFound } from '../common/kit';
import { InjectModel } from '@nestjs/mongoose';
import { Model, QueryFilter } from 'mongoose';
import { containsText } from '../common/kit/list-query';
import { Page, pageWindow } from '../common/pagination';
import { SearchGate } from '../common/search-gate';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { findCourse, type StudentStatus } from './courses';
import { normalizeCpf } from './cpf';
import { CreateStudentDto, UpdateStudentDto } from './dto/student-input.dto';
import { DEFAULT_RANKING_LIMIT, ListStudentsQuery } from './dto/student-query.dto';
import { Ranking, RankingEntry, StudentsByName, StudentView, toStudentView } from './dto/student.response';
import { DEFAULT_EDITION } from './editions';
import { PublicationGate } from './publication/publication-gate';
import { visibleEditions } from './publication/visible-editions';
import type { ResultsView } from './results-access.guard';
import { finalScore, Scores } from './scoring';
import { Student } from './schemas/student.schema';
import { StudentRankingService } from './student-ranking.service';
import { StudentsCacheService } from './students-cache.service';

/** What writes answer with: the whole result, whatever its edition's state. */
const PRIVILEGED: ResultsView = { privileged: true, visible: visibleEditions([], new Map()) };

/**
 * The editions a query may return: the request's visible ones (an edition asked for that is not
 * among them matches nothing, exactly as an edition that does not exist); every edition for
 * privileged callers. Unpublished results thus answer as if they did not exist: same query, same
 * empty result, same 404 or count.
 */
function editionFilter(view: ResultsView, requested?: string): QueryFilter<Student> {
  if (view.privileged) return requested ? { edition: requested } : {};
  const editions = requested ? view.visible.editions.filter((e) => e === requested) : view.visible.editions;
  return { edition: { $in: [...editions] } };
}

/** The seed repeated names; a name query returns every match, capped so one request stays bounded. */
export const MAX_NAME_MATCHES = 1000;

@Injectable()
export class StudentsService {
  constructor(
    @InjectModel(Student.name) private readonly students: Model<Student>,
    private readonly ranking: StudentRankingService,
    private readonly cacheSync: StudentsCacheService,
    private readonly gate: PublicationGate,
    @Inject(ENV) env: Env,
  ) {
    this.searches = SearchGate.for(env);
  }

  /** A name search ("contains", any case) scans every candidate: it runs through the search gate. */
  private readonly searches: SearchGate;

  async findOne(registration: string, view: ResultsView): Promise<StudentView> {
    const filter = { _id: registration, ...editionFilter(view) };
    const doc = orNotFound(await this.students.findOne(filter).lean<Student>().exec(), `student ${registration}`);
    return toStudentView(doc, view.privileged);
  }

  async list(query: ListStudentsQuery, view: ResultsView): Promise<Page<StudentView>> {
    const filter: QueryFilter<Student> = editionFilter(view, query.edition);
    if (query.name) filter.name = containsText(query.name);
    if (query.course) filter.course = query.course;
    if (query.status) filter.status = query.status as StudentStatus;
    const { page, limit, skip } = pageWindow(query);
    const maxTimeMS = this.searches.maxTimeMs;
    const read = () =>
      Promise.all([
        this.students
          .find(filter)
          .sort({ edition: 1, course: 1, classification: 1, _id: 1 })
          .skip(skip)
          .limit(limit)
          .maxTimeMS(maxTimeMS)
          .lean<Student[]>()
          .exec(),
        this.students.countDocuments(filter).maxTimeMS(maxTimeMS).exec(),
      ]);
    const [docs, total] = await (query.name ? this.searches.run(read) : this.searches.bounded(read));
    return { items: docs.map((d) => toStudentView(d, view.privileged)), total, page, limit };
  }

  async byName(name: string, view: ResultsView): Promise<StudentsByName> {
    const docs = await this.students
      .find({ name, ...editionFilter(view) })
      .sort({ edition: 1, course: 1, classification: 1, _id: 1 })
      .limit(MAX_NAME_MATCHES)
      .lean<Student[]>()
      .exec();
    if (docs.length === 0) throw new NotFoundException(`no student named "${name}"`);
    return { name, count: docs.length, items: docs.map((d) => toStudentView(d, view.privileged)) };
  }

  /** An edition's ranking in one course; by default the most recently published edition's. */
  async courseRanking(code: string, view: ResultsView, requested?: string, limit = DEFAULT_RANKING_LIMIT): Promise<Ranking> {
    const course = findCourse(code);
    if (!course) throw new NotFoundException(`unknown course "${code}"`);
    const edition = requested ?? view.visible.latest ?? null;
    const filter = { course: code, classification: { $ne: null }, ...editionFilter(view, edition ?? undefined) };
    if (edition === null) filter.edition = { $in: [] };
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
    return { course: course.code, course_name: course.name, seats: course.seats, edition, total, items };
  }

  /** Stores one result and places it in its edition's course ranking. */
  async create(dto: CreateStudentDto): Promise<StudentView> {
    const scores = pickScores(dto.scores);
    const edition = dto.edition ?? DEFAULT_EDITION;
    const scheduled = this.gate.schedule.get(edition);
    try {
      await this.students.create({
        _id: dto.registration,
        edition,
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
        published_at: scheduled === undefined ? new Date() : new Date(scheduled),
      });
    } catch (error) {
      throw registrationConflict(error) ?? error;
    }
    const moved = await this.ranking.rerank([{ edition, course: dto.course }]);
    await this.cacheSync.invalidate({
      registrations: [dto.registration, ...moved.registrations],
      names: [dto.name, ...moved.names],
      courses: [dto.course],
    });
    return this.findOne(dto.registration, PRIVILEGED);
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
    const moved = rankChanged
      ? await this.ranking.rerank(courses.map((course) => ({ edition: before.edition, course })))
      : { registrations: [], names: [] };
    await this.cacheSync.invalidate({
      registrations: [registration, ...moved.registrations],
      names: [before.name, set.name ?? before.name, ...moved.names],
      courses,
    });
    return this.findOne(registration, PRIVILEGED);
  }

  /** Removes the result from MongoDB and both cache tiers ; the course ranks close up. */
  async remove(registration: string): Promise<void> {
    const removed = orNotFound(await this.students.findOneAndDelete({ _id: registration }).lean<Student>(), `student ${registration}`);
    const moved = await this.ranking.rerank([{ edition: removed.edition, course: removed.course }]);
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
