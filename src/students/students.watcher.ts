import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { TwoTierCache } from '../infra/cache/two-tier-cache.service';
import { Student } from './schemas/student.schema';
import { BY_NAME_BASE_NS, RANKINGS_BASE_NS, STUDENTS_BASE_NS } from './students.cache';
import { StudentChange, StudentsCacheService } from './students-cache.service';

/** Server answers meaning "no change streams here" (standalone mongod, or a server without an oplog). */
const NOT_SUPPORTED_CODES = new Set([40573, 40415, 115, 303]);
/** The resume token is no longer in the oplog, or unusable: resuming would miss events. */
const HISTORY_LOST_CODES = new Set([286, 260, 280]);
/** Events are grouped this long (or up to MAX_BATCH) into one invalidation: a re-rank writes thousands at once. */
const FLUSH_DELAY_MS = 25;
const MAX_BATCH = 2000;
const MAX_RETRY_DELAY_MS = 30_000;

type StudentEvent = mongo.ChangeStreamDocument<Student> & { fullDocumentBeforeChange?: Student | null };

/**
 * The seed's run(): follows the students collection and drops the cached answers of every change,
 * including changes written straight to MongoDB (not through the API), on every instance (the cache
 * broadcasts invalidations), usually within tens of milliseconds.
 *
 * - `_id` is the registration, so even a delete event (which carries only `_id`) names the key to drop.
 * - The old name and course of a delete or rename come from pre-images when the collection has them
 *   (`collMod: students, changeStreamPreAndPostImages: { enabled: true }`, MongoDB 6+); without them,
 *   every by-name answer and every course ranking is dropped (the stand-in has no pre-images and sends
 *   an empty `updateDescription`, so there every update takes that path).
 * - After an error it reopens from the last token whose events were applied, so nothing is missed;
 *   if the oplog no longer holds that token, it drops the module's caches and starts afresh.
 * - Without change streams (standalone mongod) it logs a warning and the cache falls back to TTL expiry.
 * Runs only in the HTTP app (not in CLI commands); STUDENTS_WATCHER_ENABLED=false turns it off.
 */
@Injectable()
export class StudentsWatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('StudentsWatcher');
  private stream?: mongo.ChangeStream<Student, StudentEvent>;
  /** Token of the last event whose invalidation completed: the resume point. */
  private resumeToken?: mongo.ResumeToken;
  private pending: StudentEvent[] = [];
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = 500;
  private stopped = true;
  private readyWaiters: (() => void)[] = [];
  private isReady = false;
  /** Events applied since start (tests and logs). */
  processed = 0;

  constructor(
    @Inject(ENV) private readonly env: Env,
    @InjectModel(Student.name) private readonly students: Model<Student>,
    private readonly cacheSync: StudentsCacheService,
    private readonly cache: TwoTierCache,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap() {
    if (!this.env.STUDENTS_WATCHER_ENABLED) {
      this.logger.log('disabled (STUDENTS_WATCHER_ENABLED=false): cached students follow outside writes only at TTL expiry');
      return;
    }
    if (!this.adapterHost.httpAdapter) return; // a CLI command: nothing to keep in sync
    this.stopped = false;
    this.open();
  }

  async onModuleDestroy() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.stream?.close().catch(() => undefined);
    this.stream = undefined;
    await this.flush();
  }

  /** Resolves once the stream's cursor is open on the server (events written after this are seen). */
  ready(): Promise<void> {
    return this.isReady ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Events received but not yet applied. */
  get backlog(): number {
    return this.pending.length;
  }

  get running(): boolean {
    return !!this.stream && !this.stopped;
  }

  private open() {
    const stream = driverCollection(this.students).watch<Student, StudentEvent>([], {
      fullDocument: 'updateLookup',
      fullDocumentBeforeChange: 'whenAvailable',
      ...(this.resumeToken ? { resumeAfter: this.resumeToken } : {}),
    });
    this.stream = stream;
    stream.on('change', (event) => this.enqueue(event));
    // The stream does not re-emit its cursor's 'init' (the aggregate answered: the stream is open).
    (stream as unknown as { cursor: NodeJS.EventEmitter }).cursor.once('init', () => {
      this.retryDelayMs = 500;
      this.isReady = true;
      for (const resolve of this.readyWaiters.splice(0)) resolve();
    });
    stream.on('error', (error) => void this.onError(stream, error));
    // Closed by the server without an error (e.g. after an invalidate event: the collection was dropped): reopen.
    stream.on('close', () => {
      if (this.stream !== stream || this.stopped) return;
      this.stream = undefined;
      this.retryTimer = setTimeout(() => {
        if (!this.stopped) this.open();
      }, this.retryDelayMs);
    });
  }

  private async onError(stream: mongo.ChangeStream<Student, StudentEvent>, error: Error & { code?: number }) {
    if (this.stream !== stream) return;
    this.stream = undefined;
    await stream.close().catch(() => undefined);
    if (this.stopped) return;
    if (error.code !== undefined && NOT_SUPPORTED_CODES.has(error.code)) {
      this.stopped = true;
      this.logger.warn(
        `MongoDB change streams are not available (${error.message}); cached students follow outside writes only at TTL expiry ` +
          `(CACHE_TTL_SECONDS). Run MongoDB as a replica set (a single node is enough; see README) to keep the cache in sync.`,
      );
      for (const resolve of this.readyWaiters.splice(0)) resolve();
      return;
    }
    await this.flush();
    if (error.code !== undefined && HISTORY_LOST_CODES.has(error.code)) {
      this.logger.warn(`cannot resume the change stream (${error.message}); dropping the students caches and starting afresh`);
      this.resumeToken = undefined;
      await this.dropEverything();
    } else {
      this.logger.warn(`change stream error (${error.message}); resuming in ${this.retryDelayMs} ms`);
    }
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open();
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
  }

  private enqueue(event: StudentEvent) {
    this.pending.push(event);
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Applies queued events in order, one flush at a time; the resume token advances only past applied events. */
  private flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const events = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (events.length === 0) return;
      try {
        await this.apply(events);
        this.resumeToken = events[events.length - 1]._id;
        this.processed += events.length;
      } catch (error) {
        // Redis trouble: the cache already queues invalidations it could not deliver; keep going.
        this.logger.error(`applying ${events.length} change events failed: ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }

  private async apply(events: StudentEvent[]) {
    const change: Required<StudentChange> & { registrations: Set<string>; names: Set<string>; courses: Set<string> } = {
      registrations: new Set(),
      names: new Set(),
      courses: new Set(),
      unknownOldName: false,
    };
    let everyCourse = false;
    for (const event of events) {
      switch (event.operationType) {
        case 'insert':
        case 'update':
        case 'replace':
        case 'delete': {
          const after = 'fullDocument' in event ? event.fullDocument : undefined;
          // The stand-in puts the update spec in an update event's documentKey: prefer the looked-up document's _id.
          const registration = after?._id ?? registrationOf(event.documentKey);
          if (registration) change.registrations.add(registration);
          for (const doc of [after, event.fullDocumentBeforeChange]) {
            if (!doc) continue;
            if (doc.name) change.names.add(doc.name);
            if (doc.course) change.courses.add(doc.course);
          }
          if (event.operationType !== 'insert' && !event.fullDocumentBeforeChange && !nameAndCourseUntouched(event)) {
            // The previous name and course are unknown: drop every by-name answer and every ranking.
            change.unknownOldName = true;
            everyCourse = true;
          }
          break;
        }
        case 'drop':
        case 'rename':
        case 'dropDatabase':
        case 'invalidate':
          await this.dropEverything();
          if (event.operationType === 'invalidate') this.resumeToken = undefined;
          return;
        default:
          break;
      }
    }
    await this.cacheSync.invalidate({ ...change, courses: everyCourse ? undefined : change.courses });
  }

  private async dropEverything() {
    for (const base of [STUDENTS_BASE_NS, BY_NAME_BASE_NS, RANKINGS_BASE_NS]) await this.cache.clear(`${base}.`);
  }
}

export function driverCollection(model: Model<Student>) {
  return model.db.db!.collection<Student>(model.collection.collectionName);
}

function registrationOf(documentKey: unknown): string | undefined {
  const id = (documentKey as { _id?: unknown } | undefined)?._id;
  return typeof id === 'string' ? id : undefined;
}

/** True when an update event says which fields changed and neither the name nor the course did. */
function nameAndCourseUntouched(event: StudentEvent): boolean {
  if (event.operationType !== 'update') return false;
  const description = event.updateDescription;
  const fields = [...Object.keys(description?.updatedFields ?? {}), ...(description?.removedFields ?? [])];
  if (fields.length === 0) return false; // the stand-in sends an empty description: unknown
  return !fields.some((f) => f === 'name' || f === 'course');
}
