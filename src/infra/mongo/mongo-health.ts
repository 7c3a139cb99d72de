import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { isDeadlineExceeded } from './mongo-errors';
import { deadlineSignal } from './operation-deadline';

export type MongoState = 'up' | 'down';

/** How long a readiness ping may take before the answer depends on whether other work progresses. */
const PING_TIMEOUT_MS = 1000;

/**
 * MongoDB's state for readiness. A ping waits in the same connection pool as the requests, so
 * under load it can be slow while MongoDB is fine: a ping that times out counts as "down" only
 * if no other operation finished meanwhile either. An operation finished when its connection is
 * checked back into the pool and kept: one that timed out is checked in and closed at once, which
 * is no progress (a hung MongoDB gives nothing else). Concurrent checks share one ping.
 */
@Injectable()
export class MongoHealth implements OnModuleInit {
  private lastProgressAt = 0;
  private inFlight?: Promise<MongoState>;
  /** Connections checked in during this tick; a close for an error in the same tick disqualifies one. */
  private readonly checkedIn = new Set<number | string>();

  constructor(@InjectConnection() private readonly connection: Connection) {}

  onModuleInit() {
    const client = this.connection.getClient();
    client.on('connectionCheckedIn', ({ connectionId }) => {
      // The driver closes a broken connection synchronously right after checking it in.
      this.checkedIn.add(connectionId);
      queueMicrotask(() => {
        if (this.checkedIn.delete(connectionId)) this.lastProgressAt = Date.now();
      });
    });
    client.on('connectionClosed', ({ connectionId, reason }) => {
      if (reason === 'error') this.checkedIn.delete(connectionId);
    });
  }

  check(): Promise<MongoState> {
    this.inFlight ??= this.ping().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async ping(): Promise<MongoState> {
    const db = this.connection.db;
    if (this.connection.readyState !== 1 || !db) return 'down';
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      // Bounded in the driver too, so a hung MongoDB does not keep one more pooled connection per check.
      db.command({ ping: 1 }, { signal: deadlineSignal(PING_TIMEOUT_MS) }).then(
        () => 'answered' as const,
        (error: unknown) => (isDeadlineExceeded(error) ? ('slow' as const) : ('failed' as const)),
      ),
      new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), PING_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (outcome === 'answered') return 'up';
    if (outcome === 'failed') return 'down';
    return this.lastProgressAt >= started ? 'up' : 'down';
  }
}
