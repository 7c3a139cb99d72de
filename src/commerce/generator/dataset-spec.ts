/** The generator's shapes and chunk layout, without faker (the service plans work with these before any generation). */

/** What a worker needs to know of a product to put it in a cart. */
export interface ProductRef {
  id: string;
  priceCents: number;
}

export interface GenerateSpec {
  seed: number;
  customers: number;
  maxOrders: number;
  products: number;
  year: number;
}

export interface ChunkDocs {
  customers: Record<string, unknown>[];
  carts: Record<string, unknown>[];
  orders: Record<string, unknown>[];
}

/** Customers per chunk: the unit of work a worker takes, and of the id layout (independent of the worker count). */
export const CHUNK_SIZE = 500;
export function chunkCount(customers: number): number {
  return Math.ceil(customers / CHUNK_SIZE);
}
