import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';

export type MongoState = 'up' | 'down';

/** How long a readiness ping may take before the answer depends on whether other work progresses. */
const PING_TIMEOUT_MS = 1000;

/**
 * MongoDB's state for readiness. A ping waits in the same connection pool as the requests, so
 * under load it can be slow while MongoDB is fine: a ping that times out counts as "down" only
 * if no other operation finished meanwhile either (every finished operation checks its
 * connection back into the pool, which the driver reports). Concurrent checks share one ping.
 */
@Injectable()
export class MongoHealth implements OnModuleInit {
  private lastProgressAt = 0;
  private inFlight?: Promise<MongoState>;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  onModuleInit() {
    this.connection.getClient().on('connectionCheckedIn', () => (this.lastProgressAt = Date.now()));
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
      db.command({ ping: 1 }).then(
        () => 'answered' as const,
        () => 'failed' as const,
      ),
      new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), PING_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (outcome === 'answered') return 'up';
    if (outcome === 'failed') return 'down';
    return this.lastProgressAt >= started ? 'up' : 'down';
  }
}
