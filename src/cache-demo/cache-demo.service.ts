import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { TwoTierCache } from '../infra/cache/two-tier-cache.service';
import { PaginationQuery, pageWindow } from '../common/pagination';
import { UpdateDemoItemDto } from './dto/demo-item.dto';
import { DemoItem } from './schemas/demo-item.schema';

export const DEMO_NS = 'demo';

@Injectable()
export class CacheDemoService {
  /** The list's bytes as of the last seed, for the "constant route" ceiling of the benchmark. */
  private constantBody = Buffer.from('[]');

  constructor(
    @InjectModel(DemoItem.name) private readonly items: Model<DemoItem>,
    private readonly cache: TwoTierCache,
  ) {}

  async list(query: PaginationQuery) {
    const { page, limit, skip } = pageWindow(query);
    const [items, total] = await Promise.all([
      this.items.find().sort({ _id: 1 }).skip(skip).limit(limit).lean(),
      this.items.countDocuments(),
    ]);
    return { items, total, page, limit };
  }

  async get(id: string) {
    const item = await this.items.findById(id).lean();
    if (!item) throw new NotFoundException(`demo item ${id} not found`);
    return item;
  }

  async update(id: string, changes: UpdateDemoItemDto) {
    const item = await this.items.findByIdAndUpdate(id, { $set: changes }, { returnDocument: 'after' }).lean();
    if (!item) throw new NotFoundException(`demo item ${id} not found`);
    await this.cache.invalidate(DEMO_NS, [id]);
    return item;
  }

  async seed(count: number) {
    await this.items.deleteMany({});
    const docs = Array.from({ length: count }, (_, i) => ({
      name: `item ${i}`,
      price: Math.round((i * 7.31) % 100) + 0.99,
      tags: ['demo', `group-${i % 5}`],
      description: `Demo item number ${i}, sized like a small catalogue entry.`,
    }));
    await this.items.insertMany(docs);
    await this.cache.invalidate(DEMO_NS);
    this.constantBody = Buffer.from(JSON.stringify(await this.list({ limit: Math.min(count, 100) })));
    return { inserted: count };
  }

  constant(): Buffer {
    return this.constantBody;
  }
}
