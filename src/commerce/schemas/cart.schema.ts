import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import { COLLECTIONS } from '../commerce.constants';

export class CartLine {
  product_id: Types.ObjectId;
  /** The product's price when it was put in the cart (a snapshot). */
  price: number;
  quantity: number;
}

@Schema({ collection: COLLECTIONS.carts, versionKey: false })
export class Cart {
  _id: Types.ObjectId;

  @Prop({ required: true, index: true })
  customer_id: string;

  @Prop({
    type: [{ product_id: { type: Types.ObjectId, required: true }, price: Number, quantity: Number }],
    _id: false,
    required: true,
  })
  products: CartLine[];

  /** Σ price × quantity, computed in whole cents. */
  @Prop({ required: true })
  amount: number;
}

export const CartSchema = SchemaFactory.createForClass(Cart);
