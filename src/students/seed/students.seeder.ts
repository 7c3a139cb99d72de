import { Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { createProgress, type ProgressSummary } from '../../common/progress';
import { CacheInvalidator } from '../../infra/cache';
import { ModuleSeeder, Seeder, SeedOptions, SeedSummary } from '../../seeder/seeder';
import { COURSES } from '../courses';
import { DEFAULT_EDITION, DEFAULT_EDITION_PUBLISHED_AT } from '../editions';
import { PublicationService } from '../publication/publication.service';
import { Student } from '../schemas/student.schema';
import { rankCourse } from '../student-ranking';
import { BY_NAME_BASE_NS, RANKINGS_BASE_NS, STUDENTS_BASE_NS } from '../students.cache';
import { BatchSource, createBatchSource } from './batch-source';
import { rankCandidates, RunResults } from './rank-candidates';
import type { BatchRequest } from './student-generator';
import { REGISTRATION_BASE } from './registration';

export const DEFAULT_STUDENT_COUNT = 10_000;
/** The stand-in inserts fastest around 5k documents per insertMany. */
const BATCH_SIZE = 5_000;

/**
 * `npm run cli -- seed students --count N --seed S`: generates N candidates (a worker thread makes
 * batch k+1 while batch k is inserted, unordered), then MongoDB ranks every course. Without --reset,
 * new registrations continue after the highest generated one, so runs add up without clashing.
 */
@Seeder('students')
export class StudentsSeeder implements ModuleSeeder {
  private readonly logger = new Logger('StudentsSeeder');

  constructor(
    @InjectModel(Student.name) private readonly students: Model<Student>,
    private readonly cache: CacheInvalidator,
    private readonly publications: PublicationService,
  ) {}

  readonly demoCount = 500;

  async hasData(): Promise<boolean> {
    return (await this.students.estimatedDocumentCount()) > 0;
  }

  async seed({ seed, count = DEFAULT_STUDENT_COUNT, reset, edition = DEFAULT_EDITION, publishAt }: SeedOptions): Promise<SeedSummary> {
    const started = process.hrtime.bigint();
    const collection = this.students.db.db!.collection<Student>(this.students.collection.collectionName);
    if (reset) await collection.deleteMany({});
    await this.students.init(); // unique cpf index in place before inserting
    const first = await this.nextIndex(collection);
    const scheduled = await this.scheduleEdition(edition, publishAt);
    const publishedAt = (scheduled ?? DEFAULT_EDITION_PUBLISHED_AT).getTime();

    // A run that creates the edition ranks its candidates from their results before inserting them;
    // one that adds to an existing edition has MongoDB rank the whole edition afterwards.
    const fresh = count > 0 && (await collection.countDocuments({ edition }, { limit: 1 })) === 0;
    const source = createBatchSource();
    const batches = Math.ceil(count / BATCH_SIZE);
    const requestOf = (batch: number): BatchRequest => ({
      seed,
      edition,
      publishedAt,
      batch,
      start: first + batch * BATCH_SIZE,
      size: Math.min(BATCH_SIZE, count - batch * BATCH_SIZE),
    });
    let inserted = 0;
    let duplicates = 0;
    let ranks: Int32Array | undefined;
    let insertSummary: ProgressSummary;
    try {
      if (fresh) ranks = await rankBeforehand(source, batches, count, requestOf);
      const label = `students (${source.threads ? 'generated on a worker thread' : 'generated in-thread'}${ranks ? ', ranked' : ''})`;
      const progress = createProgress(label, count);
      const request = (batch: number) => {
        const r = requestOf(batch);
        // A copy of the batch's part: a view would send the whole array to the worker each time.
        return source.generate({ ...r, ranks: ranks?.slice(batch * BATCH_SIZE, batch * BATCH_SIZE + r.size) });
      };
      let next = batches > 0 ? request(0) : undefined;
      for (let batch = 0; batch < batches; batch++) {
        const docs = await next!;
        next = batch + 1 < batches ? request(batch + 1) : undefined; // generate the next batch while this one is inserted
        const result = await insertUnordered(collection, docs);
        inserted += result.inserted;
        duplicates += result.duplicates;
        progress.tick(docs.length);
      }
      insertSummary = progress.done();
    } finally {
      await source.close();
    }

    // Skipped duplicates leave gaps in ranks computed beforehand: MongoDB ranks the edition then.
    let rankNote = `ranked ${COURSES.length} courses before inserting`;
    if (!ranks || duplicates > 0) {
      const ranking = createProgress('ranking courses (MongoDB pipeline)', COURSES.length, 'courses');
      for (const course of COURSES) {
        await rankCourse(collection, edition, course);
        ranking.tick();
      }
      rankNote = `ranked ${COURSES.length} courses in MongoDB in ${ranking.done().seconds} s`;
    }

    // Lists, names and rankings changed; any running instance drops them (ids of new documents were not cached).
    for (const base of [STUDENTS_BASE_NS, BY_NAME_BASE_NS, RANKINGS_BASE_NS]) await this.cache.clear(`${base}.`);

    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const notes = [
      `inserted ${inserted} at ${insertSummary.perSecond} docs/s (${source.threads} worker thread(s)); ${rankNote}`,
      count > 0 ? `registrations ${REGISTRATION_BASE + first}..${REGISTRATION_BASE + first + count - 1}` : 'no new registrations',
      scheduled
        ? `edition ${edition}: public from ${scheduled.toISOString()}`
        : `edition ${edition}: not scheduled, its results stay hidden until: npm run cli -- results publish ${edition} --at <instant>`,
    ];
    if (duplicates) notes.push(`${duplicates} skipped: cpf or registration already present`);
    this.logger.log(notes.join('; '));
    return { inserted: { students: inserted }, seconds, notes };
  }

  /**
   * The edition's instant: `publishAt` when given (a past one is set as public already, a future
   * one with the usual notice), else the one it has, else (for the default edition) the generated
   * data's results day.
   */
  private async scheduleEdition(edition: string, publishAt?: Date): Promise<Date | undefined> {
    const current = await this.publications.instantOf(edition);
    const at = publishAt ?? current ?? (edition === DEFAULT_EDITION ? DEFAULT_EDITION_PUBLISHED_AT : undefined);
    if (!at || at.getTime() === current?.getTime()) return at;
    await this.publications.schedule(edition, at, { alreadyPublic: true });
    return at;
  }

  /** Index after the highest generated registration (26xxxxxxxx), so a second run does not collide with the first. */
  private async nextIndex(collection: mongo.Collection<Student>): Promise<number> {
    const last = await collection
      .find({ _id: { $gte: String(REGISTRATION_BASE), $lte: '2999999999' } }, { projection: { _id: 1 } })
      .sort({ _id: -1 })
      .limit(1)
      .next();
    return last ? Number(last._id) - REGISTRATION_BASE + 1 : 0;
  }
}

async function insertUnordered(collection: mongo.Collection<Student>, docs: Student[]): Promise<{ inserted: number; duplicates: number }> {
  try {
    const result = await collection.insertMany(docs, { ordered: false });
    return { inserted: result.insertedCount, duplicates: 0 };
  } catch (error) {
    const bulk = error as {
      code?: number;
      writeErrors?: { code: number }[] | { code: number };
      insertedCount?: number;
      result?: { insertedCount?: number };
    };
    const writeErrors = bulk.writeErrors === undefined ? [] : Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
    if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000)) throw error;
    return {
      inserted: bulk.insertedCount ?? bulk.result?.insertedCount ?? docs.length - writeErrors.length,
      duplicates: writeErrors.length,
    };
  }
}

/** Every candidate's rank in a run that creates its edition: results generated batch by batch (two asked at a time), ranked in memory. */
async function rankBeforehand(source: BatchSource, batches: number, count: number, requestOf: (batch: number) => BatchRequest) {
  const progress = createProgress('results to rank (no documents yet)', count, 'candidates');
  const run = new RunResults(count);
  let next = batches > 0 ? source.results(requestOf(0)) : undefined;
  for (let batch = 0; batch < batches; batch++) {
    const results = await next!;
    next = batch + 1 < batches ? source.results(requestOf(batch + 1)) : undefined;
    run.put(batch * BATCH_SIZE, results);
    progress.tick(results.course.length);
  }
  progress.done();
  return rankCandidates(run);
}
