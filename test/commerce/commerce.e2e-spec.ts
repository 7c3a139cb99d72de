import type { Db } from 'mongodb';
import { MONTH_KEYS } from '../../src/commerce/commerce.constants';
import { CommerceSeeder } from '../../src/commerce/commerce.seeder';
import { CrunchService } from '../../src/commerce/crunch/crunch.service';
import { GeneratorService } from '../../src/commerce/generator/generator.service';
import { adminAuth, createTestContext, eventually, TestApp, TestContext } from '../harness/test-app';
import { cents, datasetHash, expectedSpending } from './commerce-fixtures';

// Generation and crunch take seconds on the stand-in (a shared 2-core machine).
jest.setTimeout(180_000);

const YEAR = 2025;
/** Two chunks of 500 customers, so both workers take part. */
const SPEC = { customers: 700, max_orders: 4, products: 60, year: YEAR, seed: 7 };

type Row = {
  _id: string;
  customer_id: string;
  email: string;
  details: { first_name: string; last_name: string };
  monthly_spenses: Record<string, number>;
  categorized_monthly_expenses: Record<string, Record<string, number>>;
  monthly_avg_expense: number;
  categorized_monthly_avg_expense: Record<string, number>;
};

async function runJob(api: TestApp, path: string, body: object) {
  const started = await api.http.post(path).set(adminAuth).send(body);
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ id: expect.any(String), status: 'running' });
  const job = await eventually(
    async () => {
      const res = await api.http.get(`/commerce/jobs/${started.body.id}`).set(adminAuth);
      return res.body.status === 'running' ? undefined : res.body;
    },
    120_000,
    100,
  );
  return { started: started.body, job };
}

describe('commerce', () => {
  let ctx: TestContext;
  let api: TestApp;
  let db: Db;

  beforeAll(async () => {
    ctx = await createTestContext('commerce');
    api = await ctx.startApp({ CACHE_TTL_SECONDS: 60 });
    db = ctx.mongo.db(ctx.dbName);
  });
  afterAll(() => ctx.close());

  it('generates as a manager-only job, one job at a time, with consistent references', async () => {
    expect((await api.http.post('/commerce/generate').send(SPEC)).status).toBe(401);
    expect(
      (
        await api.http
          .post('/commerce/generate')
          .set(adminAuth)
          .send({ ...SPEC, customers: -1 })
      ).status,
    ).toBe(400);
    expect(
      (
        await api.http
          .post('/commerce/generate')
          .set(adminAuth)
          .send({ ...SPEC, $where: '1' })
      ).status,
    ).toBe(400);

    const started = await api.http.post('/commerce/generate').set(adminAuth).send(SPEC);
    expect(started.status).toBe(202);
    const busy = await api.http.post('/commerce/crunch').set(adminAuth).send({});
    expect(busy.status).toBe(409);
    const job = await eventually(
      async () => {
        const res = await api.http.get(`/commerce/jobs/${started.body.id}`).set(adminAuth);
        return res.body.status === 'running' ? undefined : res.body;
      },
      120_000,
      100,
    );
    expect(job.status).toBe('succeeded');
    expect(job.result.workers).toBe(2);
    expect(job.result.inserted).toMatchObject({ customers: 700, products: 60 });
    for (const phase of job.phases) expect(phase.done).toBe(phase.total);

    // Generating again over the same data would collide: refused up front.
    expect((await api.http.post('/commerce/generate').set(adminAuth).send(SPEC)).status).toBe(409);

    const [customers, products, carts, orders] = await Promise.all(
      ['customers', 'products', 'carts', 'orders'].map((n) => db.collection(n).find().toArray()),
    );
    expect(customers).toHaveLength(700);
    expect(orders.length).toBe(job.result.inserted.orders);
    expect(orders.length).toBeGreaterThan(700);
    const customerIds = new Set(customers.map((c) => c.customer_id));
    const productById = new Map(products.map((p) => [p._id.toHexString(), p]));
    const cartById = new Map(carts.map((c) => [c._id.toHexString(), c]));
    for (const order of orders) {
      const cart = cartById.get(order.cart_id.toHexString());
      expect(cart).toBeDefined();
      expect(cart!.customer_id).toBe(order.customer_id);
      expect(customerIds.has(order.customer_id)).toBe(true);
      expect((order.created_at as Date).getUTCFullYear()).toBe(YEAR);
    }
    expect(new Set(orders.map((o) => o.cart_id.toHexString())).size).toBe(orders.length);
    for (const cart of carts) {
      expect(customerIds.has(cart.customer_id)).toBe(true);
      let total = 0;
      for (const line of cart.products) {
        const product = productById.get(line.product_id.toHexString());
        expect(product).toBeDefined();
        expect(line.price).toBe(product!.price);
        total += cents(line.price) * line.quantity;
      }
      expect(cents(cart.amount)).toBe(total);
      expect(cart.amount).toBe(total / 100);
    }
    expect(carts.length).toBeGreaterThan(orders.length); // some carts were left open
  });

  it('is deterministic for a seed, whatever the number of workers', async () => {
    const other = await createTestContext('commerce_det');
    try {
      const otherApp = await other.startApp();
      const generator = otherApp.app.get(GeneratorService);
      const spec = { customers: SPEC.customers, maxOrders: SPEC.max_orders, products: SPEC.products, year: YEAR, seed: SPEC.seed };
      await generator.generate({ ...spec, workers: 1 });
      const otherDb = other.mongo.db(other.dbName);
      const mine = await datasetHash(db);
      expect(await datasetHash(otherDb)).toBe(mine);
      await generator.generate({ ...spec, seed: 8, reset: true });
      expect(await datasetHash(otherDb)).not.toBe(mine);
    } finally {
      await other.close();
    }
  });

  it('crunches the table inside MongoDB, matching an independent computation to the cent', async () => {
    const { job } = await runJob(api, '/commerce/crunch', {});
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ mode: 'full', year: YEAR, customers: 700 });

    const expected = await expectedSpending(db, YEAR);
    const rows = (await db.collection('customer_monthly_spending').find().toArray()) as unknown as Row[];
    expect(rows).toHaveLength(700);
    const orderTotals = new Map<string, number>();
    const cartById = new Map((await db.collection('carts').find().toArray()).map((c) => [c._id.toHexString(), c]));
    for (const order of await db.collection('orders').find().toArray()) {
      const amount = cents(cartById.get(order.cart_id.toHexString())!.amount);
      orderTotals.set(order.customer_id, (orderTotals.get(order.customer_id) ?? 0) + amount);
    }
    let withZeroMonths = 0;
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        '_id',
        'customer_id',
        'email',
        'details',
        'monthly_spenses',
        'categorized_monthly_expenses',
        'monthly_avg_expense',
        'categorized_monthly_avg_expense',
      ]);
      expect(Object.keys(row.monthly_spenses)).toEqual([...MONTH_KEYS]);
      expect(Object.keys(row.categorized_monthly_expenses)).toEqual([...MONTH_KEYS]);
      const want = expected.get(row.customer_id)!;
      const monthCents = MONTH_KEYS.map((m) => row.monthly_spenses[m] * 100);
      // amounts to the cent, and equal to the independent computation
      for (const c of monthCents) expect(Math.abs(c - Math.round(c))).toBeLessThan(1e-6);
      expect(monthCents.map(Math.round)).toEqual(want.months);
      // Σ months = Σ the customer's order amounts in the year (all generated orders are in YEAR)
      expect(want.months.reduce((a, b) => a + b, 0)).toBe(orderTotals.get(row.customer_id) ?? 0);
      if (want.months.includes(0)) withZeroMonths++;
      MONTH_KEYS.forEach((m, i) => {
        const categories = row.categorized_monthly_expenses[m];
        const sum = Object.values(categories).reduce((a, b) => a + Math.round(b * 100), 0);
        expect(sum).toBe(Math.round(monthCents[i])); // Σ categories = month total
        for (const [category, amount] of Object.entries(categories))
          expect(Math.round(amount * 100)).toBe(want.categories[i].get(category) ?? 0);
        for (const [category, amount] of want.categories[i]) expect(Math.round(categories[category] * 100)).toBe(amount);
      });
      const yearCents = want.months.reduce((a, b) => a + b, 0);
      expect(Math.round(row.monthly_avg_expense * 100)).toBe(Math.round(yearCents / 12)); // averages = totals / 12, to the cent
      const categoryTotals = new Map<string, number>();
      for (const month of want.categories) for (const [k, v] of month) categoryTotals.set(k, (categoryTotals.get(k) ?? 0) + v);
      expect(Object.keys(row.categorized_monthly_avg_expense).sort()).toEqual([...categoryTotals.keys()].sort());
      for (const [k, total] of categoryTotals)
        expect(Math.round(row.categorized_monthly_avg_expense[k] * 100)).toBe(Math.round(total / 12));
    }
    expect(withZeroMonths).toBeGreaterThan(0);

    // Batches of customer_id ranges lose nor repeat anyone: 5 batches give the same table as 1.
    const batched = await api.app.get(CrunchService).crunch({ batchSize: 150 });
    expect(batched).toMatchObject({ mode: 'full', customers: 700 });
    const sortById = (a: { _id: string }, b: { _id: string }) => (a._id < b._id ? -1 : 1);
    const rebuilt = (await db.collection('customer_monthly_spending').find().toArray()) as unknown as Row[];
    expect(rebuilt.sort(sortById)).toEqual([...rows].sort(sortById));
    expect((await db.listCollections().toArray()).map((c) => c.name)).not.toContain('customer_monthly_spending_next');
    const customer = await db.collection('customers').findOne({ customer_id: rows[0].customer_id });
    expect(rows[0]).toMatchObject({
      _id: customer!.customer_id,
      email: customer!.email,
      details: { first_name: customer!.details.first_name, last_name: customer!.details.last_name },
    });
  });

  it('serves a row cached by customer_id, with 400 and 404 for bad ids', async () => {
    const row = await db.collection('customer_monthly_spending').findOne({});
    const first = await api.http.get(`/commerce/spending/${row!._id}`);
    expect(first.status).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.body).toEqual(JSON.parse(JSON.stringify(row)));
    const second = await api.http.get(`/commerce/spending/${row!._id}`);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(await ctx.redis.exists(`spending:id:${row!._id}`)).toBe(1);
    expect((await api.http.get('/commerce/spending/not-an-id')).status).toBe(400);
    expect((await api.http.get('/commerce/spending/000000000000000000000000')).status).toBe(404);
  });

  it('searches with a validated filter, paginated and cached, refusing JavaScript and unknown fields', async () => {
    const filter = { monthly_avg_expense: { $gt: 150 }, 'monthly_spenses.mar': { $gte: 0 } };
    const count = await db.collection('customer_monthly_spending').countDocuments({ monthly_avg_expense: { $gt: 150 } });
    expect(count).toBeGreaterThan(5);
    const page1 = await api.http.post('/commerce/spending/search?limit=5').send({ filter });
    expect(page1.status).toBe(200);
    expect(page1.headers['x-cache']).toBe('MISS');
    expect(page1.body).toMatchObject({ total: count, page: 1, limit: 5 });
    expect(page1.body.items).toHaveLength(5);
    for (const item of page1.body.items) expect(item.monthly_avg_expense).toBeGreaterThan(150);
    // the same filter with its keys in another order is the same cache entry
    const again = await api.http
      .post('/commerce/spending/search?limit=5')
      .send({ filter: { 'monthly_spenses.mar': { $gte: 0 }, monthly_avg_expense: { $gt: 150 } } });
    expect(again.headers['x-cache']).toBe('HIT');
    expect(again.body).toEqual(page1.body);
    const page2 = await api.http.post('/commerce/spending/search?limit=5&page=2').send({ filter });
    expect(page2.headers['x-cache']).toBe('MISS');
    expect(page2.body.items[0]._id > page1.body.items[4]._id).toBe(true);

    for (const [bad, message] of [
      [{ $where: 'sleep(100) || true' }, /\$where is not allowed/],
      [{ monthly_avg_expense: { $function: { body: 'return true', args: [], lang: 'js' } } }, /\$function is not allowed/],
      [{ $expr: { $gt: ['$monthly_avg_expense', 0] } }, /\$expr is not allowed/],
      [{ password_hash: 'x' }, /unknown field "password_hash"/],
      [{ 'monthly_spenses.jan': { $gt: '1' } }, /expected a number/],
    ] as const) {
      const res = await api.http.post('/commerce/spending/search').send({ filter: bad });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect((await api.http.post('/commerce/spending/search').send({})).status).toBe(400);
    expect((await api.http.post('/commerce/spending/search').send({ filter: [] })).status).toBe(400);
    expect((await api.http.post('/commerce/spending/search').send({ filter: {}, sort: 1 })).status).toBe(400);
    expect((await api.http.post('/commerce/spending/search?limit=1000').send({ filter: {} })).status).toBe(400);
  });

  it('orders a cart: recomputes only that customer, invalidates their cached row and searches', async () => {
    const openCart = await db
      .collection('carts')
      .aggregate([
        { $lookup: { from: 'orders', localField: '_id', foreignField: 'cart_id', as: 'order' } },
        { $match: { order: { $size: 0 } } },
        { $limit: 1 },
      ])
      .next();
    const customerId = openCart!.customer_id as string;
    const before = (await api.http.get(`/commerce/spending/${customerId}`)).body as Row;
    expect((await api.http.get(`/commerce/spending/${customerId}`)).headers['x-cache']).toBe('HIT');
    const search = { filter: { customer_id: customerId } };
    await api.http.post('/commerce/spending/search').send(search);
    expect((await api.http.post('/commerce/spending/search').send(search)).headers['x-cache']).toBe('HIT');
    const othersBefore = await db
      .collection('customer_monthly_spending')
      .find({ _id: { $ne: customerId } as never })
      .sort({ _id: 1 })
      .toArray();

    const body = { customer_id: customerId, cart_id: openCart!._id.toHexString(), created_at: `${YEAR}-03-10T12:00:00Z` };
    expect((await api.http.post('/commerce/orders').send(body)).status).toBe(401);
    const postOrder = async (changes: Record<string, unknown>) =>
      (
        await api.http
          .post('/commerce/orders')
          .set(adminAuth)
          .send({ ...body, ...changes })
      ).status;
    expect(await postOrder({ cart_id: 'nope' })).toBe(400);
    expect(await postOrder({ $where: '1' })).toBe(400);
    expect(await postOrder({ created_at: '2999-01-01T00:00:00Z' })).toBe(400);
    expect(await postOrder({ cart_id: '000000000000000000000000' })).toBe(404);
    const stranger = await db.collection('customers').findOne({ customer_id: { $ne: customerId } });
    const wrongOwner = await api.http
      .post('/commerce/orders')
      .set(adminAuth)
      .send({ ...body, customer_id: stranger!.customer_id });
    expect(wrongOwner.status).toBe(400);
    expect(wrongOwner.body.message).toMatch(/belongs to another customer/);
    expect(await db.collection('orders').countDocuments({ cart_id: openCart!._id })).toBe(0);

    const created = await api.http.post('/commerce/orders').set(adminAuth).send(body);
    expect(created.status).toBe(201);
    expect(created.body.order).toMatchObject({ customer_id: customerId, cart_id: body.cart_id });
    const amount = cents(openCart!.amount);
    expect(Math.round(created.body.spending.monthly_spenses.mar * 100)).toBe(Math.round(before.monthly_spenses.mar * 100) + amount);

    const after = await api.http.get(`/commerce/spending/${customerId}`);
    expect(after.headers['x-cache']).toBe('MISS');
    expect(after.body).toEqual(created.body.spending);
    const marCategories = Object.values(after.body.categorized_monthly_expenses.mar as Record<string, number>).reduce(
      (a, b) => a + Math.round(b * 100),
      0,
    );
    expect(marCategories).toBe(Math.round(after.body.monthly_spenses.mar * 100));
    expect((await api.http.post('/commerce/spending/search').send(search)).headers['x-cache']).toBe('MISS');
    const othersAfter = await db
      .collection('customer_monthly_spending')
      .find({ _id: { $ne: customerId } as never })
      .sort({ _id: 1 })
      .toArray();
    expect(othersAfter).toEqual(othersBefore);

    const again = await api.http.post('/commerce/orders').set(adminAuth).send(body);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already been ordered/);
  });

  it('incremental crunch recomputes only the given customers, from orders written outside the API', async () => {
    const crunch = api.app.get(CrunchService);
    const customer = await db.collection('customers').findOne({}, { skip: 5 });
    const cart = await db.collection('carts').findOne({ customer_id: customer!.customer_id });
    // a second order of an existing cart's contents, as another system would write it
    const copy = { ...cart!, _id: undefined };
    delete copy._id;
    const { insertedId: cartId } = await db.collection('carts').insertOne(copy);
    await db
      .collection('orders')
      .insertOne({ customer_id: customer!.customer_id, cart_id: cartId, created_at: new Date(Date.UTC(YEAR, 11, 31, 23, 59, 59)) });
    const table = db.collection('customer_monthly_spending');
    const before = await table.findOne({ _id: customer!.customer_id });
    const othersBefore = await table
      .find({ _id: { $ne: customer!.customer_id } })
      .sort({ _id: 1 })
      .toArray();

    const summary = await crunch.crunch({ customerIds: [customer!.customer_id] });
    expect(summary).toMatchObject({ mode: 'incremental', customers: 1, year: YEAR });
    const after = await table.findOne({ _id: customer!.customer_id });
    expect(Math.round(after!.monthly_spenses.dez * 100)).toBe(Math.round(before!.monthly_spenses.dez * 100) + cents(cart!.amount));
    expect(
      await table
        .find({ _id: { $ne: customer!.customer_id } })
        .sort({ _id: 1 })
        .toArray(),
    ).toEqual(othersBefore);

    await expect(crunch.crunch({ customerIds: ['ffffffffffffffffffffffff'] })).rejects.toThrow(/unknown customer_id/);
    await expect(crunch.crunch({ customerIds: [customer!.customer_id], year: YEAR - 1 })).rejects.toThrow(/the table holds 2025/);
    const bad = await api.http
      .post('/commerce/crunch')
      .set(adminAuth)
      .send({ customer_ids: ['x'] });
    expect(bad.status).toBe(400);
    const unknown = await api.http
      .post('/commerce/crunch')
      .set(adminAuth)
      .send({ customer_ids: ['ffffffffffffffffffffffff'] });
    expect(unknown.status).toBe(404);
    const otherYear = await api.http
      .post('/commerce/crunch')
      .set(adminAuth)
      .send({ customer_ids: [customer!.customer_id], year: YEAR - 1 });
    expect(otherYear.status).toBe(400);
    // incremental over HTTP: a job too
    const { job } = await runJob(api, '/commerce/crunch', { customer_ids: [customer!.customer_id] });
    expect(job).toMatchObject({ status: 'succeeded', result: { mode: 'incremental', customers: 1 } });
  });

  it('is the module seeder of `seed commerce`: --count customers, --reset, then the table', async () => {
    const summary = await api.app.get(CommerceSeeder).seed({ seed: 11, count: 120, reset: true });
    expect(summary.inserted).toMatchObject({ customers: 120, products: 500, customer_monthly_spending: 120 });
    expect(await db.collection('customers').countDocuments()).toBe(120);
    expect(await db.collection('customer_monthly_spending').countDocuments()).toBe(120);
  });

  it('resets every commerce collection and the table (manager only)', async () => {
    const row = await db.collection('customer_monthly_spending').findOne({});
    expect((await api.http.get(`/commerce/spending/${row!._id}`)).status).toBe(200);
    expect((await api.http.post('/commerce/reset')).status).toBe(401);
    const reset = await api.http.post('/commerce/reset').set(adminAuth);
    expect(reset.status).toBe(200);
    expect(reset.body.dropped).toEqual(
      expect.arrayContaining([
        'customers',
        'products',
        'carts',
        'orders',
        'customer_monthly_spending',
        'commerce_spending_cells',
        'commerce_meta',
      ]),
    );
    const names = (await db.listCollections().toArray()).map((c) => c.name);
    expect(names.filter((n) => ['customers', 'products', 'carts', 'orders', 'customer_monthly_spending'].includes(n))).toEqual([]);
    expect((await api.http.get(`/commerce/spending/${row!._id}`)).status).toBe(404);
  });
});
