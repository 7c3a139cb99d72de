import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { Page } from '../common/pagination';
import { MongoDeadlines } from '../infra/mongo/operation-deadline';
import { CustomerMonthlySpending } from './schemas/customer-monthly-spending.schema';

/** Reads of the analytics table (writes come only from crunch). */
@Injectable()
export class SpendingService {
  constructor(
    @InjectModel(CustomerMonthlySpending.name) private readonly table: Model<CustomerMonthlySpending>,
    private readonly deadlines: MongoDeadlines,
  ) {}

  async findOne(customerId: string): Promise<CustomerMonthlySpending> {
    const row = await this.table.collection.findOne<CustomerMonthlySpending>({ _id: customerId as never }, this.deadlines.read());
    if (!row) throw new NotFoundException(`no spending row for customer ${customerId} (unknown customer, or crunch has not run)`);
    return row;
  }

  /** `filter` must come from validateSpendingFilter; sorted by customer for stable pages. */
  async search(
    filter: Record<string, unknown>,
    window: { page: number; limit: number; skip: number },
  ): Promise<Page<CustomerMonthlySpending>> {
    const [items, total] = await Promise.all([
      this.table.collection
        .find<CustomerMonthlySpending>(filter, this.deadlines.read())
        .sort({ _id: 1 })
        .skip(window.skip)
        .limit(window.limit)
        .toArray(),
      this.table.collection.countDocuments(filter, this.deadlines.read()),
    ]);
    return { items, total, page: window.page, limit: window.limit };
  }
}
