import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import { COLLECTIONS } from '../commerce.constants';

@Schema({ collection: COLLECTIONS.products, versionKey: false })
export class Product {
  _id: Types.ObjectId;

  @Prop({ required: true })
  title: string;

  @Prop({ required: true })
  description: string;

  /** The first one is the product's department: crunch counts its amounts there. */
  @Prop({ type: [String], required: true })
  categories: string[];

  /** In currency units with two decimals (the generator draws whole cents). */
  @Prop({ required: true })
  price: number;
}

export const ProductSchema = SchemaFactory.createForClass(Product);
