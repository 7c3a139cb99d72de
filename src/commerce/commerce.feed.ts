import { documentSource } from '../infra/cache';
import { COLLECTIONS, SPENDING_NS } from './commerce.constants';

/**
 * A row of the spending table (its `_id` is the customer id) feeds that customer's cached answer
 * and every cached search; a crunch in another process reaches the cache through this.
 */
export const SPENDING_FEED = documentSource(COLLECTIONS.spending, SPENDING_NS);
