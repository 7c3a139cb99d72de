/**
 * The classic cache-aside race, forced deterministically: a read fetches the old document,
 * a write updates MongoDB and invalidates, then the read tries to store what it fetched.
 * The generation guard must discard that store in both tiers.
 */
import { Body, Controller, Get, Injectable, Module, Param, Put } from '@nestjs/common';
import { InjectModel, MongooseModule, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { IsString } from 'class-validator';
import { Model } from 'mongoose';
import { Cached } from '../../src/infra/cache/http/cache.decorators';
import { TwoTierCache } from '../../src/infra/cache/two-tier-cache.service';
import { adminAuth, createTestContext, TestApp, TestContext } from '../harness/test-app';

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
const gate = new Gate();
let armed: Promise<void> | undefined;

@Injectable()
class RaceService {
  constructor(
    @InjectModel(RaceDoc.name) private readonly docs: Model<RaceDoc>,
    private readonly cache: TwoTierCache,
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

@Controller('race')
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
class RaceModule {}

describe('shared cache: no stale repopulation', () => {
  let ctx: TestContext;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('race');
    api = await ctx.startApp({}, [RaceModule]);
  });
  afterAll(() => ctx.close());

  /** Creates { value: 'old' } and starts a read that holds it, paused before it returns to the cache. */
  async function startHeldRead(id: string) {
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

  it('discards a fill that read MongoDB before a write invalidated, in both tiers', async () => {
    const id = 'doc-a';
    const staleRead = (await startHeldRead(id)).response; // it holds { value: 'old' }

    const write = await api.http.put(`/race/${id}`).send({ value: 'new' }).expect(200);
    expect(write.body.value).toBe('new');

    gate.open();
    const stale = await staleRead;
    expect(stale.body.value).toBe('old'); // that response was in flight before the write: fine
    expect(stale.headers['x-cache']).toBe('MISS');

    // ...but it must not have been stored in either tier.
    expect(await ctx.redis.get(`race:id:${id}`)).toBeNull();
    const next = await api.http.get(`/race/${id}`).expect(200);
    expect(next.headers['x-cache']).toBe('MISS');
    expect(next.body.value).toBe('new');
    const hit = await api.http.get(`/race/${id}`).expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.body.value).toBe('new');
    expect(JSON.parse((await ctx.redis.get(`race:id:${id}`))!).value).toBe('new');
  });

  it('discards a fill that read MongoDB before an admin delete of its key, in both tiers', async () => {
    const id = 'doc-d';
    const staleRead = (await startHeldRead(id)).response; // it holds { value: 'old' }
    // Written outside the API (no invalidation), then the operator deletes the entry to force a refresh.
    await ctx.mongo
      .db(ctx.dbName)
      .collection('race_docs')
      .updateOne({ _id: id as never }, { $set: { value: 'new' } });
    const deleted = await api.http.delete(`/cache/entries/race:id:${id}`).set(adminAuth);
    expect([204, 404]).toContain(deleted.status); // nothing was cached yet: the fill is still in flight

    gate.open();
    expect((await staleRead).body.value).toBe('old');
    expect(await ctx.redis.get(`race:id:${id}`)).toBeNull();
    const next = await api.http.get(`/race/${id}`).expect(200);
    expect(next.headers['x-cache']).toBe('MISS');
    expect(next.body.value).toBe('new');
  });

  it('a request arriving after a write does not join a load that started before it', async () => {
    const id = 'doc-c';
    const first = (await startHeldRead(id)).response;
    await api.http.put(`/race/${id}`).send({ value: 'new' }).expect(200);
    // Without the flight being forgotten on invalidation this would wait for and share 'old'.
    const after = await api.http.get(`/race/${id}`).expect(200);
    expect(after.body.value).toBe('new');
    gate.open();
    await first;
  });
});
