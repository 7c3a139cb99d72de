import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { COLLECTIONS, MONTH_KEYS, MonthKey } from '../commerce.constants';

export type MonthlyAmounts = Record<MonthKey, number>;

/**
 * The monthly-spending table, in the shape its users already read, for one year (the year is in commerce_meta). Written
 * only by crunch's aggregation pipelines; `_id` is the customer_id so a customer's row is replaced in place.
 */
@Schema({ collection: COLLECTIONS.spending, versionKey: false, strict: 'throw', autoIndex: false })
export class CustomerMonthlySpending {
  @Prop({ type: String })
  _id: string;

  @Prop({ required: true })
  customer_id: string;

  @Prop()
  email: string;

  @Prop({ type: { first_name: String, last_name: String }, _id: false })
  details: { first_name: string; last_name: string };

  @Prop({ type: Object.fromEntries(MONTH_KEYS.map((m) => [m, Number])), _id: false })
  monthly_spenses: MonthlyAmounts;

  /** month → category → amount */
  @Prop({ type: Object })
  categorized_monthly_expenses: Record<MonthKey, Record<string, number>>;

  @Prop()
  monthly_avg_expense: number;

  /** category → average over the 12 months */
  @Prop({ type: Object })
  categorized_monthly_avg_expense: Record<string, number>;
}

export const CustomerMonthlySpendingSchema = SchemaFactory.createForClass(CustomerMonthlySpending);
