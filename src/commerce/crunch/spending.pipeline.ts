import type { PipelineStage } from 'mongoose';
import { COLLECTIONS, MONTH_KEYS } from '../commerce.constants';

/**
 * The aggregation pipelines that build the spending table inside MongoDB. Written for MongoDB 7
 * and for the operators the stand-in knows: no $round, $let, $switch, $first-as-expression,
 * $getField, $set, $replaceWith or $unionWith there, so amounts are summed as integer cents
 * (rounded with $floor(x + 0.5)) and divided by 100 once, at the end.
 */

/** Lines of products that have disappeared still count, under this category, so months stay whole. */
export const UNKNOWN_CATEGORY = 'Sem categoria';

export interface CrunchScope {
  year: number;
  /** Only these customers (incremental); all when undefined. */
  customerIds?: string[];
  /** Only customer_ids in [from, to) (a batch of a full rebuild); open-ended when a bound is missing. */
  range?: { from?: string; to?: string };
}

/** The customers a crunch covers, as a filter on a `customer_id` field. */
export function customersInScope(scope: CrunchScope): Record<string, unknown> {
  if (scope.customerIds) return { customer_id: { $in: scope.customerIds } };
  if (!scope.range) return {};
  const bounds: Record<string, string> = {};
  if (scope.range.from !== undefined) bounds.$gte = scope.range.from;
  if (scope.range.to !== undefined) bounds.$lt = scope.range.to;
  return Object.keys(bounds).length ? { customer_id: bounds } : {};
}

const roundHalfUp = (expr: unknown) => ({ $floor: { $add: [expr, 0.5] } });
const toUnits = (cents: unknown) => ({ $divide: [cents, 100] });
/** Calendar month 1..12 → "jan".."dez". */
const monthKey = (month: unknown) => ({ $arrayElemAt: [{ $literal: MONTH_KEYS }, { $subtract: [month, 1] }] });
const ZERO_MONTHS = Object.fromEntries(MONTH_KEYS.map((m) => [m, 0]));

/** The orders a crunch reads: the year's (UTC), of the given customers if any. */
export function ordersInScope(scope: CrunchScope): Record<string, unknown> {
  return {
    ...customersInScope(scope),
    created_at: { $gte: new Date(Date.UTC(scope.year, 0, 1)), $lt: new Date(Date.UTC(scope.year + 1, 0, 1)) },
  };
}

/**
 * Step 1, over orders: per customer, `{ _id: customer_id, months: [{ month, cents, categories:
 * [{ k, v: cents }] }], categoryTotals: [[{ k, v: cents }]] }` for the year. Orders → carts and
 * lines → products are joined on `_id`; all arithmetic is native $group sums of integer cents, so
 * step 2 only reshapes (the stand-in evaluates nested expressions slowly).
 */
export function cellsPipeline(scope: CrunchScope): PipelineStage[] {
  return [
    { $match: ordersInScope(scope) },
    { $lookup: { from: COLLECTIONS.carts, localField: 'cart_id', foreignField: '_id', as: 'cart' } },
    { $unwind: '$cart' },
    // Keep only what the next stages read: the stand-in materialises every stage in memory.
    { $project: { _id: 0, customer_id: 1, created_at: 1, lines: '$cart.products' } },
    { $unwind: '$lines' },
    { $lookup: { from: COLLECTIONS.products, localField: 'lines.product_id', foreignField: '_id', as: 'product' } },
    {
      $project: {
        customer_id: 1,
        // UTC months, like every date the API stores
        month: { $month: '$created_at' },
        // via $map: the stand-in flattens '$product.categories' over the joined array where MongoDB nests it
        category: {
          $ifNull: [
            { $arrayElemAt: [{ $map: { input: '$product', as: 'p', in: { $arrayElemAt: ['$$p.categories', 0] } } }, 0] },
            UNKNOWN_CATEGORY,
          ],
        },
        cents: { $multiply: [{ $toLong: roundHalfUp({ $multiply: ['$lines.price', 100] }) }, '$lines.quantity'] },
      },
    },
    { $group: { _id: { customer: '$customer_id', month: '$month', category: '$category' }, cents: { $sum: '$cents' } } },
    // A category's yearly total, carried to each of its months
    {
      $group: {
        _id: { customer: '$_id.customer', category: '$_id.category' },
        total: { $sum: '$cents' },
        months: { $push: { month: '$_id.month', cents: '$cents' } },
      },
    },
    { $unwind: '$months' },
    {
      $group: {
        _id: { customer: '$_id.customer', month: '$months.month' },
        cents: { $sum: '$months.cents' },
        categories: { $push: { k: '$_id.category', v: '$months.cents' } },
        categoryTotals: { $push: { k: '$_id.category', v: '$total' } },
      },
    },
    {
      $group: {
        _id: '$_id.customer',
        months: { $push: { month: '$_id.month', cents: '$cents', categories: '$categories' } },
        categoryTotals: { $push: '$categoryTotals' },
      },
    },
  ];
}

/**
 * Step 2, over customers: one row of the spending table per customer, joining step 1 on `_id`.
 * Months without orders are 0 and every month lists all the customer's categories (0 where
 * nothing was bought), so each month's categories sum to its total. Amounts are cents / 100;
 * averages are rounded half-up to the cent.
 */
export function tablePipeline(scope: CrunchScope): PipelineStage[] {
  const perMonth = (input: unknown, value: unknown) => ({
    $arrayToObject: { $map: { input, as: 'month', in: { k: monthKey('$$month.month'), v: value } } },
  });
  return [
    { $match: customersInScope(scope) },
    { $lookup: { from: COLLECTIONS.spendingCells, localField: 'customer_id', foreignField: '_id', as: 'spend' } },
    { $addFields: { spend: { $arrayElemAt: ['$spend', 0] } } },
    {
      $project: {
        customer_id: 1,
        email: 1,
        details: 1,
        months: { $ifNull: ['$spend.months', []] },
        // duplicates (one per month) carry the same total; $arrayToObject keeps one
        totalsByCategory: {
          $arrayToObject: {
            $reduce: { input: { $ifNull: ['$spend.categoryTotals', []] }, initialValue: [], in: { $concatArrays: ['$$value', '$$this'] } },
          },
        },
      },
    },
    {
      $addFields: {
        categoryTotals: { $objectToArray: '$totalsByCategory' },
        zeroCategories: { $arrayToObject: { $map: { input: { $objectToArray: '$totalsByCategory' }, as: 'c', in: { k: '$$c.k', v: 0 } } } },
        yearCents: { $sum: { $map: { input: '$months', as: 'month', in: '$$month.cents' } } },
      },
    },
    {
      $project: {
        _id: '$customer_id',
        customer_id: '$customer_id',
        email: '$email',
        details: { first_name: '$details.first_name', last_name: '$details.last_name' },
        monthly_spenses: { $mergeObjects: [{ $literal: ZERO_MONTHS }, perMonth('$months', toUnits('$$month.cents'))] },
        categorized_monthly_expenses: {
          $mergeObjects: [
            { $arrayToObject: { $map: { input: { $literal: MONTH_KEYS }, as: 'key', in: { k: '$$key', v: '$zeroCategories' } } } },
            perMonth('$months', {
              $mergeObjects: [
                '$zeroCategories',
                { $arrayToObject: { $map: { input: '$$month.categories', as: 'c', in: { k: '$$c.k', v: toUnits('$$c.v') } } } },
              ],
            }),
          ],
        },
        monthly_avg_expense: toUnits(roundHalfUp({ $divide: ['$yearCents', 12] })),
        categorized_monthly_avg_expense: {
          $arrayToObject: {
            $map: { input: '$categoryTotals', as: 'c', in: { k: '$$c.k', v: toUnits(roundHalfUp({ $divide: ['$$c.v', 12] })) } },
          },
        },
      },
    },
  ];
}
