import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { cacheKeys } from '../infra/cache/core/cache-keys';
import { TwoTierCache } from '../infra/cache/two-tier-cache.service';
import { COURSE_CODES } from './courses';
import { toStudentView, WarmUpResult } from './dto/student.response';
import { PublicationGate } from './publication/publication-gate';
import { Student } from './schemas/student.schema';
import { BY_NAME_BASE_NS, byNameNamespace, rankingNamespace, studentsNamespace } from './students.cache';

/** What a change touched, as far as it is known. */
export interface StudentChange {
  registrations: Iterable<string>;
  /** names whose by-name answers may have changed */
  names?: Iterable<string>;
  /** courses whose ranking may have changed; undefined = unknown, every course */
  courses?: Iterable<string>;
  /** a change whose previous name is unknown (delete or rename without a pre-image) */
  unknownOldName?: boolean;
}

const INVALIDATE_CHUNK = 1000;
/**
 * Entries per pipelined write. CACHE_REDIS_TIMEOUT_MS applies to each command of a pipeline, so a
 * 1,000-entry pipeline on a busy 2-core machine lost its tail (5,000 students: 4,025 stored); 250 did not.
 */
const WARM_BATCH = 250;

/** Keeps the module's cached answers in line with MongoDB: invalidation after writes and events, and the bulk warm-up. */
@Injectable()
export class StudentsCacheService {
  private readonly logger = new Logger('StudentsCache');

  constructor(
    private readonly cache: TwoTierCache,
    @InjectModel(Student.name) private readonly students: Model<Student>,
    private readonly gate: PublicationGate,
  ) {}

  /**
   * Drops every cached answer the change may have altered, in both tiers, on every instance, under
   * every set of visible editions served now or warmed for a coming instant.
   */
  async invalidate(change: StudentChange): Promise<void> {
    const registrations = [...new Set(change.registrations)];
    const names = [...new Set(change.names ?? [])];
    const courses = change.courses ? new Set(change.courses) : new Set(COURSE_CODES);
    if (change.unknownOldName) {
      // By-name answers are keyed by name; without the old name, drop them all (rare: outside deletes and renames).
      await this.cache.clear(`${BY_NAME_BASE_NS}.`);
    }
    for (const { fingerprint } of this.gate.liveSets()) {
      // Always at least one call: it also drops every list variant (GET /students?...).
      for (let i = 0; i === 0 || i < registrations.length; i += INVALIDATE_CHUNK) {
        await this.cache.invalidate(studentsNamespace(fingerprint), registrations.slice(i, i + INVALIDATE_CHUNK));
      }
      for (let i = 0; !change.unknownOldName && i < names.length; i += INVALIDATE_CHUNK) {
        await this.cache.invalidate(byNameNamespace(fingerprint), names.slice(i, i + INVALIDATE_CHUNK));
      }
      for (const course of courses) await this.cache.invalidate(rankingNamespace(course, fingerprint));
    }
  }

  /**
   * The results-day project's cacheData(): every published student into Redis (masked view, the same bytes the GET route
   * caches), streamed from a cursor and written with one pipelined round trip per batch. The
   * generation is read BEFORE MongoDB, so an entry read before a concurrent write is not stored.
   */
  async warm(ttlSeconds?: number): Promise<WarmUpResult> {
    const started = process.hrtime.bigint();
    const visible = await this.gate.visible();
    const namespace = studentsNamespace(visible.fingerprint);
    const generation = await this.cache.generation(namespace);
    let count = 0;
    let stored = 0;
    let batch: { key: string; body: Buffer }[] = [];
    let writing: Promise<void> = Promise.resolve();
    // One batch goes to Redis while the cursor reads the next.
    const flush = async () => {
      const entries = batch;
      batch = [];
      await writing;
      writing = this.storeBatch(namespace, entries, generation, ttlSeconds).then((n) => void (stored += n));
    };
    const cursor = this.students
      .find({ edition: { $in: [...visible.editions] } })
      .lean<Student[]>()
      .batchSize(1000)
      .cursor();
    for await (const doc of cursor as AsyncIterable<Student>) {
      batch.push({ key: cacheKeys.id(namespace, doc._id), body: Buffer.from(JSON.stringify(toStudentView(doc, false))) });
      count++;
      if (batch.length === WARM_BATCH) await flush();
    }
    if (batch.length) await flush();
    await writing;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.logger.log(`warmed ${stored}/${count} students in ${seconds.toFixed(2)} s`);
    return { count, stored, seconds: Math.round(seconds * 1000) / 1000, per_second: Math.round(count / Math.max(seconds, 1e-3)) };
  }

  /** One retry when part of a batch timed out; entries are idempotent (same bytes, same generation check). */
  private async storeBatch(
    namespace: string,
    entries: { key: string; body: Buffer }[],
    generation: string | undefined,
    ttlSeconds?: number,
  ) {
    const first = await this.cache.storeMany(namespace, entries, generation, ttlSeconds);
    if (first === entries.length) return first;
    // A lower bound: the retry's count, or the first attempt's if the retry did worse.
    return Math.max(first, await this.cache.storeMany(namespace, entries, generation, ttlSeconds));
  }
}
