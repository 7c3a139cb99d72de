import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { withInvalidation } from '../../common/kit';
import { CacheInvalidator } from '../../infra/cache';
import { CacheDemoService, DEMO_NS } from '../cache-demo.service';
import { DemoItem } from '../schemas/demo-item.schema';

/** Benchmark helpers (`npm run bench:cache`, `bench:peers`); not part of the worked example. */
@Injectable()
export class DemoBenchService {
  /** The list's bytes as of the last seed, for the "constant route" ceiling of the benchmark. */
  private constantBody = Buffer.from('[]');

  constructor(
    @InjectModel(DemoItem.name) private readonly items: Model<DemoItem>,
    private readonly cache: CacheInvalidator,
    private readonly demo: CacheDemoService,
  ) {}

  async seed(count: number) {
    await withInvalidation(this.cache, DEMO_NS, [], async () => {
      await this.items.deleteMany({});
      const docs = Array.from({ length: count }, (_, i) => ({
        name: `item ${i}`,
        price: Math.round((i * 7.31) % 100) + 0.99,
        tags: ['demo', `group-${i % 5}`],
        description: `Demo item number ${i}, sized like a small catalogue entry.`,
      }));
      await this.items.insertMany(docs);
    });
    this.constantBody = Buffer.from(JSON.stringify(await this.demo.list({ limit: Math.min(count, 100) })));
    return { inserted: count };
  }

  constant(): Buffer {
    return this.constantBody;
  }
}
