import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { CacheInvalidator } from '../infra/cache';
import { COLLECTIONS, SPENDING_NS } from './commerce.constants';

export interface SpendingMeta {
  _id: 'spending';
  year: number;
  built_at: Date;
}

/** Whole-module housekeeping: counts, reset, the table's metadata and its cache. */
@Injectable()
export class CommerceDataService {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly cache: CacheInvalidator,
  ) {}

  async counts(): Promise<Record<'customers' | 'products' | 'carts' | 'orders' | 'spending', number>> {
    const names = ['customers', 'products', 'carts', 'orders', 'spending'] as const;
    const values = await Promise.all(names.map((n) => this.connection.collection(COLLECTIONS[n]).estimatedDocumentCount()));
    return Object.fromEntries(names.map((n, i) => [n, values[i]])) as Record<(typeof names)[number], number>;
  }

  /** Drops every commerce collection and the analytics table; returns the ones that existed. */
  async reset(): Promise<string[]> {
    const existing = new Set((await this.connection.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    const dropped = Object.values(COLLECTIONS).filter((name) => existing.has(name));
    await Promise.all(dropped.map((name) => this.connection.db!.dropCollection(name)));
    await this.forgetAllSpending();
    return dropped;
  }

  meta(): Promise<SpendingMeta | null> {
    return this.connection.collection<SpendingMeta>(COLLECTIONS.meta).findOne({ _id: 'spending' });
  }

  async saveMeta(year: number): Promise<void> {
    await this.connection
      .collection<SpendingMeta>(COLLECTIONS.meta)
      .updateOne({ _id: 'spending' }, { $set: { year, built_at: new Date() } }, { upsert: true });
  }

  /** Every cached row and search (after a full rebuild or reset); the generation bump stops fills in flight. */
  async forgetAllSpending(): Promise<void> {
    await this.cache.clear(`${SPENDING_NS}:`);
    await this.cache.invalidate(SPENDING_NS);
  }
}
