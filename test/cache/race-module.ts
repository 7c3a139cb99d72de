/**
 * A cached route whose read can be held between "fetched from MongoDB" and "returned to the
 * cache", to force the cache-aside race (test/cache/race.e2e-spec.ts, the Cluster suite).
 */
import { Body, Controller, Get, Injectable, Module, Param, Put } from '@nestjs/common';
import { InjectModel, MongooseModule, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { IsString } from 'class-validator';
import { Model } from 'mongoose';
import { CacheInvalidator, Cached } from '../../src/infra/cache';
import { GuardedBy } from '../../src/infra/http/route-access';
import type { TestApp, TestContext } from '../harness/test-app';

@Schema({ collection: 'race_docs', versionKey: false })
class RaceDoc {
  @Prop() _id: string;
  @Prop() value: string;
}
const RaceDocSchema = SchemaFactory.createForClass(RaceDoc);

class ValueDto {
  @IsString() value: string;
}

/** Lets the test hold a read between "fetched from MongoDB" and "returned to the cache". */
class Gate {
  private release?: () => void;
  fetched?: Promise<void>;
  private signalFetched?: () => void;

  arm() {
    this.fetched = new Promise((resolve) => (this.signalFetched = resolve));
    return new Promise<void>((resolve) => (this.release = resolve));
  }
  open() {
    this.release?.();
  }
  reached() {
    this.signalFetched?.();
  }
}
export const gate = new Gate();
let armed: Promise<void> | undefined;

@Injectable()
class RaceService {
  constructor(
    @InjectModel(RaceDoc.name) private readonly docs: Model<RaceDoc>,
    private readonly cache: CacheInvalidator,
  ) {}
  async read(id: string) {
    const doc = await this.docs.findById(id).lean();
    if (armed) {
      const wait = armed;
      armed = undefined;
      gate.reached();
      await wait;
    }
    return doc;
  }
  async write(id: string, value: string) {
    await this.docs.updateOne({ _id: id }, { $set: { value } });
    await this.cache.invalidate('race', [id]);
    return { _id: id, value };
  }
}

/** Open to anyone, but declared without `@Public()` so the fast path never serves it: every read reaches the interceptor, where the races are staged. */
@Controller('race')
@GuardedBy()
class RaceController {
  constructor(private readonly service: RaceService) {}
  @Get(':id')
  @Cached({ namespace: 'race', kind: 'id' })
  read(@Param('id') id: string) {
    return this.service.read(id);
  }
  @Put(':id')
  write(@Param('id') id: string, @Body() body: ValueDto) {
    return this.service.write(id, body.value);
  }
}

@Module({
  imports: [MongooseModule.forFeature([{ name: RaceDoc.name, schema: RaceDocSchema }])],
  controllers: [RaceController],
  providers: [RaceService],
})
export class RaceModule {}

/** Creates { value: 'old' } and starts a read that holds it, paused before it returns to the cache. */
export async function startHeldRead(ctx: TestContext, api: TestApp, id: string) {
  await ctx.mongo
    .db(ctx.dbName)
    .collection('race_docs')
    .insertOne({ _id: id as never, value: 'old' });
  armed = gate.arm();
  // Wrapped: an async function returning the promise itself would wait for the response.
  const held = { response: api.http.get(`/race/${id}`).then((r) => r) };
  await gate.fetched;
  return held;
}
