/**
 * Compatibility smoke suite: proves the MongoDB server the tests run against (the stand-in unless
 * MONGODB_URI is given) serves, through Mongoose, what the feature modules rely on.
 */
import { Body, Controller, Module, Post } from '@nestjs/common';
import { InjectModel, MongooseModule, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { IsEmail, IsString } from 'class-validator';
import mongoose, { Model } from 'mongoose';
import { Public } from '../src/infra/http/route-access';
import { createTestContext, eventually, TestContext } from './harness/test-app';

@Schema({ collection: 'compat_people' })
class Person {
  @Prop({ required: true }) name: string;
  @Prop({ required: true, unique: true }) email: string;
}
const PersonSchema = SchemaFactory.createForClass(Person);

class CreatePersonDto {
  @IsString() name: string;
  @IsEmail() email: string;
}

@Controller('compat/people')
@Public()
class PeopleController {
  constructor(@InjectModel(Person.name) private readonly people: Model<Person>) {}
  @Post()
  async create(@Body() body: CreatePersonDto) {
    return (await this.people.create(body)).toJSON();
  }
}

@Module({ imports: [MongooseModule.forFeature([{ name: Person.name, schema: PersonSchema }])], controllers: [PeopleController] })
class CompatModule {}

describe('MongoDB compatibility (through Mongoose)', () => {
  let ctx: TestContext;
  let connection: mongoose.Connection;

  beforeAll(async () => {
    ctx = await createTestContext('compat');
    connection = await mongoose.createConnection(ctx.env.MONGODB_URI!, { dbName: ctx.dbName }).asPromise();
  });
  afterAll(async () => {
    await connection.close();
    await ctx.close();
  });

  it('does CRUD', async () => {
    const Item = connection.model('Item', new mongoose.Schema({ name: String, qty: Number }), 'compat_items');
    const created = await Item.create({ name: 'a', qty: 1 });
    expect((await Item.findById(created._id).lean())?.name).toBe('a');
    await Item.updateOne({ _id: created._id }, { $inc: { qty: 2 } });
    expect((await Item.findById(created._id).lean())?.qty).toBe(3);
    const after = await Item.findOneAndUpdate(
      { _id: created._id, qty: { $gte: 3 } },
      { $inc: { qty: -3 } },
      { returnDocument: 'after' },
    ).lean();
    expect(after?.qty).toBe(0);
    await Item.deleteOne({ _id: created._id });
    expect(await Item.countDocuments()).toBe(0);
  });

  it('enforces a unique index, which the API maps to 409 with the shared error shape', async () => {
    const { http } = await ctx.startApp({}, [CompatModule]);
    await connection.model(Person.name, PersonSchema).init();
    const first = await http.post('/compat/people').send({ name: 'Ana', email: 'ana@example.com' });
    expect(first.status).toBe(201);
    const duplicate = await http.post('/compat/people').send({ name: 'Ana 2', email: 'ana@example.com' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: 'email already exists', path: '/compat/people' });
    expect(duplicate.body.timestamp).toEqual(expect.any(String));
    expect(JSON.stringify(duplicate.body)).not.toMatch(/at .*\.ts:\d+/);
    expect(await connection.collection('compat_people').countDocuments()).toBe(1);
  });

  it('runs $lookup + $unwind + $group + date operators + $merge', async () => {
    const db = connection.db!;
    await db.collection('compat_customers').insertMany([{ _id: 'c1', email: 'c1@x' } as never, { _id: 'c2', email: 'c2@x' } as never]);
    await db.collection('compat_orders').insertMany([
      { customer_id: 'c1', amount: 10.5, created_at: new Date('2024-01-15T10:00:00Z') },
      { customer_id: 'c1', amount: 4.5, created_at: new Date('2024-01-20T10:00:00Z') },
      { customer_id: 'c1', amount: 7, created_at: new Date('2024-03-02T10:00:00Z') },
      { customer_id: 'c2', amount: 1, created_at: new Date('2024-03-05T10:00:00Z') },
    ]);
    await db
      .collection('compat_orders')
      .aggregate([
        { $lookup: { from: 'compat_customers', localField: 'customer_id', foreignField: '_id', as: 'customer' } },
        { $unwind: '$customer' },
        {
          $project: {
            customer_id: 1,
            email: '$customer.email',
            amount: 1,
            month: { $month: '$created_at' },
            year: { $year: '$created_at' },
            day: { $dateToString: { format: '%Y-%m-%d', date: '$created_at' } },
          },
        },
        {
          $group: {
            _id: { customer: '$customer_id', month: '$month' },
            email: { $first: '$email' },
            total: { $sum: '$amount' },
            avg: { $avg: '$amount' },
            orders: { $sum: 1 },
          },
        },
        { $merge: { into: 'compat_monthly', whenMatched: 'replace', whenNotMatched: 'insert' } },
      ])
      .toArray();
    const rows = await db.collection('compat_monthly').find().sort({ '_id.customer': 1, '_id.month': 1 }).toArray();
    expect(rows.map((r) => [r._id, r.email, r.total, r.orders])).toEqual([
      [{ customer: 'c1', month: 1 }, 'c1@x', 15, 2],
      [{ customer: 'c1', month: 3 }, 'c1@x', 7, 1],
      [{ customer: 'c2', month: 3 }, 'c2@x', 1, 1],
    ]);
    await db
      .collection('compat_orders')
      .aggregate([{ $match: { customer_id: 'c2' } }, { $out: 'compat_out' }])
      .toArray();
    expect(await db.collection('compat_out').countDocuments()).toBe(1);
  });

  it('delivers a change stream event for an update made by a second client', async () => {
    const Watched = connection.model('Watched', new mongoose.Schema({ score: Number }), 'compat_watched');
    const doc = await Watched.create({ score: 1 });
    const events: { operationType: string; fullDocument?: { score: number }; documentKey?: { _id: unknown } }[] = [];
    const stream = Watched.watch([], { fullDocument: 'updateLookup' });
    stream.on('change', (event) => events.push(event as never));
    await untilFollowing(Watched.collection, events);
    await ctx.mongo
      .db(ctx.dbName)
      .collection('compat_watched')
      .updateOne({ _id: doc._id }, { $set: { score: 42 } });
    const seen = await eventually(() => events.find((e) => e.operationType === 'update'), 5000);
    await stream.close();
    expect(seen?.fullDocument?.score).toBe(42);
  });

  it('delivers change events for findAndModify writes (findOneAndUpdate/Replace/Delete, upsert), as MongoDB does', async () => {
    const Watched = connection.model('WatchedFam', new mongoose.Schema({ score: Number }), 'compat_watched_fam');
    const doc = await Watched.create({ score: 1 });
    const upsertedId = new mongoose.Types.ObjectId();
    const events: { operationType: string; fullDocument?: { _id: unknown }; documentKey?: { _id: unknown } }[] = [];
    const stream = Watched.watch([], { fullDocument: 'updateLookup' });
    stream.on('change', (event) => events.push(event as never));
    await untilFollowing(Watched.collection, events);
    await Watched.findByIdAndUpdate(doc._id, { $set: { score: 2 } });
    await Watched.findOneAndReplace({ _id: doc._id }, { score: 3 });
    await Watched.findOneAndUpdate({ _id: upsertedId }, { $set: { score: 7 } }, { upsert: true, new: true });
    await Watched.findByIdAndDelete(doc._id);
    await Watched.findByIdAndUpdate(new mongoose.Types.ObjectId(), { $set: { score: 9 } }); // matches nothing: no event
    await eventually(() => events.length >= 4 || undefined, 5000);
    await new Promise((r) => setTimeout(r, 300));
    await stream.close();
    // MongoDB reports the replacement as `replace`; the stand-in reports every replacement (replaceOne too) as `update`.
    expect(events.map((e) => e.operationType.replace('replace', 'update'))).toEqual(['update', 'update', 'insert', 'delete']);
    expect(String(events[2].documentKey?._id)).toBe(String(upsertedId));
    expect(String(events[3].documentKey?._id)).toBe(String(doc._id));
  });
});

/**
 * Resolves once the stream delivers events: inserts probe documents until one's insert shows up
 * (a fixed pause before the first write loses events when the machine is busy). The stream is in
 * order, so every earlier probe's event came before it; then the events are forgotten.
 */
async function untilFollowing(
  collection: { insertOne(doc: object): Promise<{ insertedId: unknown }> },
  events: { documentKey?: { _id: unknown } }[],
) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { insertedId } = await collection.insertOne({ score: -1 });
    const seen = () => events.some((e) => String(e.documentKey?._id) === String(insertedId)) || undefined;
    if (await eventually(seen, 500, 20)) {
      events.length = 0;
      return;
    }
  }
  throw new Error('the change stream delivered nothing in 10 s');
}
