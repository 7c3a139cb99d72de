import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Types } from 'mongoose';

@Schema({ collection: 'games', versionKey: false })
export class Game {
  @Prop({ required: true, trim: true })
  item: string;

  @Prop({ required: true, trim: true })
  publisher: string;

  @Prop({ required: true })
  year: number;

  @Prop({ type: [String], default: [] })
  genre: string[];

  @Prop({ type: [String], default: [] })
  platforms: string[];

  /** Integer cents: the API's `price` is price_cents / 100 (exact money arithmetic). */
  @Prop({ required: true, min: 0, validate: { validator: Number.isInteger, message: 'price_cents must be an integer' } })
  price_cents: number;

  /** Units in stock; purchases decrement it conditionally so it never goes below zero. */
  @Prop({ required: true, min: 0, validate: { validator: Number.isInteger, message: 'available must be an integer' } })
  available: number;
}

export type GameRecord = Game & { _id: Types.ObjectId };

export const GameSchema = SchemaFactory.createForClass(Game);
// The list filters and sorts.
GameSchema.index({ genre: 1 });
GameSchema.index({ platforms: 1 });
GameSchema.index({ publisher: 1 });
GameSchema.index({ price_cents: 1 });
GameSchema.index({ year: 1 });
