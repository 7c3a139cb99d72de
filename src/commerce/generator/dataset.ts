import { Faker, base, en, pt_BR } from '@faker-js/faker';
import type { Types } from 'mongoose';
import { CATEGORY_TREE } from '../commerce.constants';
import { CHUNK_SIZE, ChunkDocs, GenerateSpec, ProductRef } from './dataset-spec';
import { DeterministicIds } from './deterministic-ids';

/** Chunk number reserved for products (customer chunks count from 0 upwards). */
const PRODUCT_CHUNK = 0xffffff;
/** Share of customers who also leave one cart without ordering it (something for POST /commerce/orders to order). */
const OPEN_CART_RATE = 0.25;

function seededFaker(seed: number, stream: number): Faker {
  const faker = new Faker({ locale: [pt_BR, en, base] });
  faker.seed([seed, stream]);
  return faker;
}

export const toCents = (units: number) => Math.round(units * 100);
export const fromCents = (cents: number) => cents / 100;

export function generateProducts(spec: Pick<GenerateSpec, 'seed' | 'products'>): { docs: Record<string, unknown>[]; refs: ProductRef[] } {
  const faker = seededFaker(spec.seed, PRODUCT_CHUNK);
  const ids = new DeterministicIds(spec.seed);
  const departments = Object.keys(CATEGORY_TREE);
  const docs: Record<string, unknown>[] = [];
  const refs: ProductRef[] = [];
  for (let i = 0; i < spec.products; i++) {
    const department = faker.helpers.arrayElement(departments);
    const subCategories = faker.helpers.arrayElements(CATEGORY_TREE[department], { min: 0, max: 3 });
    const priceCents = faker.number.int({ min: 990, max: 49_990 });
    const _id = ids.id('product', PRODUCT_CHUNK, i);
    docs.push({
      _id,
      title: faker.commerce.productName(),
      description: faker.commerce.productDescription(),
      categories: [department, ...subCategories],
      price: fromCents(priceCents),
    });
    refs.push({ id: _id.toHexString(), priceCents });
  }
  return { docs, refs };
}

/**
 * One chunk of customers with their carts and orders, a pure function of (spec, chunk): the
 * references are right by construction (ids are derived, products are given), amounts are summed
 * in whole cents so `amount` is exactly Σ price × quantity.
 */
export function generateChunk(spec: GenerateSpec, chunk: number, products: ProductRef[], productIds: Types.ObjectId[]): ChunkDocs {
  const faker = seededFaker(spec.seed, chunk);
  const ids = new DeterministicIds(spec.seed);
  const first = chunk * CHUNK_SIZE;
  const last = Math.min(first + CHUNK_SIZE, spec.customers);
  const yearStart = Date.UTC(spec.year, 0, 1);
  const yearEnd = Date.UTC(spec.year + 1, 0, 1);
  const out: ChunkDocs = { customers: [], carts: [], orders: [] };
  let cartIndex = 0;
  let orderIndex = 0;

  const newCart = (customerId: string) => {
    const lineCount = faker.number.int({ min: 1, max: Math.min(4, products.length) });
    const picked = new Set<number>();
    while (picked.size < lineCount) picked.add(faker.number.int({ max: products.length - 1 }));
    let amountCents = 0;
    const lines = [...picked].map((p) => {
      const quantity = faker.number.int({ min: 1, max: 3 });
      amountCents += products[p].priceCents * quantity;
      return { product_id: productIds[p], price: fromCents(products[p].priceCents), quantity };
    });
    const cart = { _id: ids.id('cart', chunk, cartIndex++), customer_id: customerId, products: lines, amount: fromCents(amountCents) };
    out.carts.push(cart);
    return cart;
  };

  for (let n = first; n < last; n++) {
    const i = n - first;
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    const customerId = ids.id('customerRef', chunk, i).toHexString();
    const [local, domain] = faker.internet.email({ firstName, lastName }).toLowerCase().split('@');
    out.customers.push({
      _id: ids.id('customer', chunk, i),
      customer_id: customerId,
      // "+n" keeps every address unique without a lookup
      email: `${local}+${n}@${domain}`,
      details: { first_name: firstName, last_name: lastName, full_name: `${firstName} ${lastName}` },
    });
    const orders = faker.number.int({ min: 0, max: spec.maxOrders });
    for (let o = 0; o < orders; o++) {
      const cart = newCart(customerId);
      const createdAt = new Date(Math.floor(faker.number.int({ min: yearStart, max: yearEnd - 1 }) / 1000) * 1000);
      out.orders.push({ _id: ids.id('order', chunk, orderIndex++), customer_id: customerId, cart_id: cart._id, created_at: createdAt });
    }
    if (faker.datatype.boolean(OPEN_CART_RATE)) newCart(customerId);
  }
  return out;
}
