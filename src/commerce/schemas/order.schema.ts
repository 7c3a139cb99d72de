import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import { COLLECTIONS } from '../commerce.constants';

@Schema({ collection: COLLECTIONS.orders, versionKey: false })
export class Order {
  _id: Types.ObjectId;

  @Prop({ required: true })
  customer_id: string;

  /** A cart is ordered at most once. */
  @Prop({ type: Types.ObjectId, required: true, unique: true })
  cart_id: Types.ObjectId;

  @Prop({ required: true })
  created_at: Date;
}

export const OrderSchema = SchemaFactory.createForClass(Order);
// Incremental crunch selects one customer's orders of one year.
OrderSchema.index({ customer_id: 1, created_at: 1 });
