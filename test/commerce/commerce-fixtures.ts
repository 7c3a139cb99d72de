import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import { MONTH_KEYS } from '../../src/commerce/commerce.constants';

export const cents = (units: number) => Math.round(units * 100);

/** sha1 of every commerce document, collection by collection, in _id order. */
export async function datasetHash(db: Db): Promise<string> {
  const hash = createHash('sha1');
  for (const name of ['customers', 'products', 'carts', 'orders']) {
    const docs = await db.collection(name).find().sort({ _id: 1 }).toArray();
    hash.update(`${name}:${docs.length}:${JSON.stringify(docs)}\n`);
  }
  return hash.digest('hex');
}

export interface ExpectedRow {
  months: number[];
  /** month index → category → cents */
  categories: Map<string, number>[];
}

/**
 * The table recomputed in plain TypeScript from the raw collections (integer cents), as an
 * independent check of the aggregation pipelines.
 */
export async function expectedSpending(db: Db, year: number): Promise<Map<string, ExpectedRow>> {
  const [customers, products, carts, orders] = await Promise.all(
    ['customers', 'products', 'carts', 'orders'].map((n) => db.collection(n).find().toArray()),
  );
  const productById = new Map(products.map((p) => [p._id.toHexString(), p]));
  const cartById = new Map(carts.map((c) => [c._id.toHexString(), c]));
  const rows = new Map<string, ExpectedRow>(
    customers.map((c) => [c.customer_id as string, { months: Array(12).fill(0), categories: MONTH_KEYS.map(() => new Map()) }]),
  );
  for (const order of orders) {
    const created = order.created_at as Date;
    if (created.getUTCFullYear() !== year) continue;
    const month = created.getUTCMonth();
    const row = rows.get(order.customer_id)!;
    const cart = cartById.get(order.cart_id.toHexString())!;
    for (const line of cart.products as { product_id: { toHexString(): string }; price: number; quantity: number }[]) {
      const category = productById.get(line.product_id.toHexString())!.categories[0] as string;
      const amount = cents(line.price) * line.quantity;
      row.months[month] += amount;
      row.categories[month].set(category, (row.categories[month].get(category) ?? 0) + amount);
    }
  }
  return rows;
}
