import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectModel, MongooseModule, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { createTestContext, TestContext } from './test-app';

@Schema({ collection: 'harness_gadgets' })
class Gadget {
  @Prop({ required: true, unique: true }) sku: string;
  @Prop({ index: true }) maker: string;
}
const GadgetSchema = SchemaFactory.createForClass(Gadget);

/** A build slower than the app's start, as a large collection's would be: its init() ends 1.5 s after the real one. */
@Injectable()
class SlowIndexBuild implements OnModuleInit {
  static finished = false;
  constructor(@InjectModel(Gadget.name) private readonly gadgets: Model<Gadget>) {}
  onModuleInit() {
    const model = this.gadgets as unknown as { $init: Promise<unknown> };
    model.$init = this.gadgets.init().then(async (result) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      SlowIndexBuild.finished = true;
      return result;
    });
  }
}

@Module({ imports: [MongooseModule.forFeature([{ name: Gadget.name, schema: GadgetSchema }])], providers: [SlowIndexBuild] })
class GadgetsModule {}

/** The stand-in fails a read or write made during an index build, so a suite must not start before its models are ready. */
describe('harness: startApp() waits for index builds', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext('harness-indexes')));
  afterAll(() => ctx.close());

  it("returns only once every model's init() (collection and indexes) has finished", async () => {
    await ctx.startApp({}, [GadgetsModule]);
    expect(SlowIndexBuild.finished).toBe(true);
    const indexes = await ctx.mongo.db(ctx.dbName).collection('harness_gadgets').indexes();
    expect(indexes.map((index) => Object.keys(index.key).join())).toEqual(expect.arrayContaining(['_id', 'sku', 'maker']));
  });
});
