import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Page } from '../common/pagination';
import { SearchGate } from '../common/search-gate';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { CustomerMonthlySpending } from './schemas/customer-monthly-spending.schema';

/** Reads of the analytics table (writes come only from crunch). */
@Injectable()
export class SpendingService {
  private readonly searches: SearchGate;

  constructor(
    @InjectModel(CustomerMonthlySpending.name) private readonly table: Model<CustomerMonthlySpending>,
    @Inject(ENV) env: Env,
  ) {
    this.searches = SearchGate.for(env);
  }

  async findOne(customerId: string): Promise<CustomerMonthlySpending> {
    const row = await this.table.collection.findOne<CustomerMonthlySpending>({ _id: customerId as never });
    if (!row) throw new NotFoundException(`no spending row for customer ${customerId} (unknown customer, or crunch has not run)`);
    return row;
  }

  /**
   * `filter` must come from validateSpendingFilter; sorted by customer for stable pages. A
   * client-written filter may match no index: it runs through the search gate, with maxTimeMS.
   */
  search(filter: Record<string, unknown>, window: { page: number; limit: number; skip: number }): Promise<Page<CustomerMonthlySpending>> {
    const maxTimeMS = this.searches.maxTimeMs;
    return this.searches.run(async () => {
      const [items, total] = await Promise.all([
        this.table.collection
          .find<CustomerMonthlySpending>(filter, { maxTimeMS })
          .sort({ _id: 1 })
          .skip(window.skip)
          .limit(window.limit)
          .toArray(),
        this.table.collection.countDocuments(filter, { maxTimeMS }),
      ]);
      return { items, total, page: window.page, limit: window.limit };
    });
  }
}
