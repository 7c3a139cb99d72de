import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import { COLLECTIONS } from '../commerce.constants';

export class CustomerDetails {
  first_name: string;
  last_name: string;
  full_name: string | null;
}

/** A customer (`users` in the original generator): customer_id is the customer's own key (orders and carts point at it), not `_id`. */
@Schema({ collection: COLLECTIONS.customers, versionKey: false })
export class Customer {
  _id: Types.ObjectId;

  @Prop({ required: true, unique: true })
  customer_id: string;

  @Prop({ required: true })
  email: string;

  @Prop({ type: { first_name: String, last_name: String, full_name: String }, _id: false, required: true })
  details: CustomerDetails;
}

export const CustomerSchema = SchemaFactory.createForClass(Customer);
