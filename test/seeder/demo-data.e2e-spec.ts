import { DemoDataService } from '../../src/seeder/demo-data.service';
import { SeederRegistry } from '../../src/seeder/seeder.registry';
import { createTestContext, TestApp, TestContext } from '../harness/test-app';

describe('seeding: the demo dataset of a first start, and one rule for existing data', () => {
  let ctx: TestContext;
  let api: TestApp;

  beforeAll(async () => {
    ctx = await createTestContext('demo-data');
    api = await ctx.startApp();
  });
  afterAll(() => ctx.close());

  const counts = async () => {
    const db = ctx.mongo.db(ctx.dbName);
    const [games, students, spending, collections] = await Promise.all(
      ['games', 'students', 'customer_monthly_spending', 'collections'].map((name) => db.collection(name).countDocuments()),
    );
    return { games, students, spending, collections };
  };

  it('seeds every module of an empty database, so every list answers data', async () => {
    const demo = api.app.get(DemoDataService);
    expect(await demo.databaseIsEmpty()).toBe(true);

    const outcomes = await demo.seedIfEmpty();

    expect(outcomes?.map((o) => o.module).sort()).toEqual(['commerce', 'games', 'imagedoc', 'students']);
    expect(outcomes?.every((o) => !o.skipped)).toBe(true);
    const after = await counts();
    expect(after.games).toBeGreaterThan(0);
    expect(after.students).toBeGreaterThan(0);
    expect(after.spending).toBeGreaterThan(0);
    expect(after.collections).toBeGreaterThan(0);
    expect((await api.http.get('/games').expect(200)).body.total).toBe(after.games);
    expect((await api.http.get('/students').expect(200)).body.total).toBe(after.students);
    const customer = outcomes
      ?.flatMap((o) => (o.skipped ? [] : (o.notes ?? [])))
      .join('\n')
      .match(/spending\/([0-9a-f]{24})/)?.[1];
    expect(customer).toBeDefined();
    await api.http.get(`/commerce/spending/${customer}`).expect(200);
  });

  it('does nothing on a database that holds data', async () => {
    const before = await counts();
    expect(await api.app.get(DemoDataService).seedIfEmpty()).toBeUndefined();
    expect(await counts()).toEqual(before);
  });

  it('skips a module that holds data unless reset, naming --reset; reset replaces', async () => {
    const registry = api.app.get(SeederRegistry);
    const before = await counts();

    for (const module of ['games', 'students', 'imagedoc', 'commerce']) {
      const outcome = await registry.run(module, { seed: 42, count: 5 });
      expect(outcome).toMatchObject({ module, skipped: true });
      expect(outcome.skipped && outcome.note).toContain('--reset');
    }
    expect(await counts()).toEqual(before);

    const replaced = await registry.run('students', { seed: 42, count: 7, reset: true });
    expect(replaced.skipped).toBe(false);
    expect((await counts()).students).toBe(7);
  });

  it('refuses an unknown module by name', async () => {
    await expect(api.app.get(SeederRegistry).run('nope', { seed: 1 })).rejects.toThrow(/unknown module "nope"; known: /);
  });
});
