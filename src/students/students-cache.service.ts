import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { CacheInvalidator, cacheKeys, L1Preloader, TwoTierCache } from '../infra/cache';
import { asMongoJob } from '../infra/mongo/operation-deadline';
import { COURSE_CODES } from './courses';
import { toStudentView } from './dto/student.response';
import { PublicationGate } from './publication/publication-gate';
import type { VisibleEditions } from './publication/visible-editions';
import { Student } from './schemas/student.schema';
import { STUDENT_VIEW_CODEC } from './student-view.codec';
import { BY_NAME_BASE_NS, byNameNamespace, rankingNamespace, STUDENTS_BASE_NS, studentsNamespace } from './students.cache';

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

export interface WarmSetResult {
  /** Results read from MongoDB (first pass). */
  count: number;
  /** Entries written to Redis. */
  stored: number;
  /** Results read again because their first store was refused (a write moved them meanwhile, or Redis timed out). */
  retried: number;
}

const INVALIDATE_CHUNK = 1000;
/**
 * Entries per pipelined write. CACHE_REDIS_TIMEOUT_MS applies to each command of a pipeline, so a
 * 1,000-entry pipeline on a busy 2-core machine lost its tail (5,000 students: 4,025 stored); 250 did not.
 */
const WARM_BATCH = 250;
/** Pipelines in flight at once: Redis works on one while the next crosses the wire. */
const WARM_IN_FLIGHT = 4;
/** Rounds of re-reading refused results before giving up on them. */
const RETRY_PASSES = 5;

interface PendingEntry {
  id: string;
  key: string;
  body: Buffer;
  /** The generation read before this result was fetched from MongoDB: the only one it may be stored under. */
  generation: string | undefined;
}

/** Keeps the module's cached answers in line with MongoDB: invalidation after writes and events, and the bulk warm-up. */
@Injectable()
export class StudentsCacheService implements OnModuleInit {
  constructor(
    private readonly cache: TwoTierCache,
    private readonly invalidator: CacheInvalidator,
    private readonly preloader: L1Preloader,
    @InjectModel(Student.name) private readonly students: Model<Student>,
    private readonly gate: PublicationGate,
  ) {}

  /** Results are kept in Redis packed (about half the bytes): a million warmed answers is memory that counts. */
  onModuleInit() {
    this.cache.useL2Codec(STUDENTS_BASE_NS, STUDENT_VIEW_CODEC);
  }

  /** How many results `set`'s editions hold. */
  count(set: VisibleEditions): Promise<number> {
    // A job's step: counting a national edition may outlast a request's MongoDB deadline.
    return asMongoJob(() => this.students.countDocuments({ edition: { $in: [...set.editions] } }).exec());
  }

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
      await this.invalidator.clear(`${BY_NAME_BASE_NS}.`);
    }
    for (const { fingerprint } of this.gate.liveSets()) {
      // Always at least one call: it also drops every list variant (GET /students?...).
      for (let i = 0; i === 0 || i < registrations.length; i += INVALIDATE_CHUNK) {
        await this.invalidator.invalidate(studentsNamespace(fingerprint), registrations.slice(i, i + INVALIDATE_CHUNK));
      }
      for (let i = 0; !change.unknownOldName && i < names.length; i += INVALIDATE_CHUNK) {
        await this.invalidator.invalidate(byNameNamespace(fingerprint), names.slice(i, i + INVALIDATE_CHUNK));
      }
      for (const course of courses) await this.invalidator.invalidate(rankingNamespace(course, fingerprint));
    }
  }

  /**
   * Every result of `set`'s editions into Redis under that
   * set's keys (masked view, the same bytes the GET route caches), streamed from one cursor and
   * written in pipelined batches, several in flight.
   *
   * Race guard: each result may be stored only under the namespace generation read before it was
   * fetched from MongoDB. When a store is refused (a write's invalidation moved the generation),
   * the generation is read again, and it applies to the results the cursor fetches from then on
   * (those already buffered keep the old one); every refused result is read again, by id, in a
   * second pass. A correction made during a warm-up is therefore never overwritten by the warm-up.
   */
  warmSet(set: VisibleEditions, ttlSeconds: number, onStored?: (stored: number) => void): Promise<WarmSetResult> {
    // A job: one cursor over every result, and every MongoDB read it makes, get the job deadline.
    return asMongoJob(() => this.warmSetJob(set, ttlSeconds, onStored));
  }

  private async warmSetJob(set: VisibleEditions, ttlSeconds: number, onStored?: (stored: number) => void): Promise<WarmSetResult> {
    const namespace = studentsNamespace(set.fingerprint);
    const collection = this.students.db.db!.collection<Student>(this.students.collection.collectionName);
    const filter = { edition: { $in: [...set.editions] } };
    let generation = await this.cache.generation(namespace);
    const cursor = collection.find(filter).batchSize(2000);
    let read = 0;
    /** Results read from this index on were fetched after `generation` was read. */
    let fetchedAfter = 0;
    let stored = 0;
    const refused: string[] = [];

    const store = async (entries: PendingEntry[]) => {
      const current = generation;
      const ready: PendingEntry[] = [];
      for (const e of entries) {
        if (current !== undefined && e.generation === current) ready.push(e);
        else refused.push(e.id);
      }
      const done = ready.length ? await this.cache.storeMany(namespace, ready, current, ttlSeconds) : 0;
      if (done === ready.length) {
        stored += done;
        onStored?.(stored);
        return;
      }
      // Which ones failed is not known: all are read again (storing one twice is harmless).
      for (const e of ready) refused.push(e.id);
      if (generation === current) {
        generation = await this.cache.generation(namespace);
        fetchedAfter = read + cursor.bufferedCount();
      }
    };
    const writing = new Set<Promise<void>>();
    const write = async (entries: PendingEntry[]) => {
      const job: Promise<void> = store(entries).finally(() => writing.delete(job));
      writing.add(job);
      if (writing.size >= WARM_IN_FLIGHT) await Promise.race(writing);
    };

    let batch: PendingEntry[] = [];
    for await (const doc of cursor) {
      batch.push(this.entry(namespace, doc, read >= fetchedAfter ? generation : undefined));
      read++;
      if (batch.length === WARM_BATCH) {
        await write(batch);
        batch = [];
      }
    }
    if (batch.length) await write(batch);
    await Promise.all(writing);

    const retried = refused.length;
    for (let pass = 0; pass < RETRY_PASSES && refused.length; pass++) {
      const ids = refused.splice(0);
      for (let i = 0; i < ids.length; i += WARM_BATCH) {
        generation = await this.cache.generation(namespace);
        const docs = await collection.find({ ...filter, _id: { $in: ids.slice(i, i + WARM_BATCH) } }).toArray();
        await store(docs.map((doc) => this.entry(namespace, doc, generation)));
      }
    }
    return { count: read, stored, retried };
  }

  /** Copies a warm-up's entries from Redis into this instance's L1, as far as its bound allows. */
  preloadL1(set: VisibleEditions, onPage?: (loaded: number) => void) {
    return this.preloader.preload(`${studentsNamespace(set.fingerprint)}:id:`, onPage);
  }

  private entry(namespace: string, doc: mongo.WithId<Student>, generation: string | undefined): PendingEntry {
    return { id: doc._id, key: cacheKeys.id(namespace, doc._id), body: Buffer.from(JSON.stringify(toStudentView(doc, false))), generation };
  }
}
