import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Types } from 'mongoose';

export const MEMBERSHIPS = ['basic', 'gold', 'premium'] as const;
export type Membership = (typeof MEMBERSHIPS)[number];

@Schema({ collection: 'clients', versionKey: false })
export class Client {
  @Prop({ required: true, trim: true })
  name: string;

  /** Stored lower-cased, so the unique index is case-insensitive in effect. */
  @Prop({ required: true, unique: true, lowercase: true, trim: true })
  email: string;

  @Prop({ required: true })
  joined_date: Date;

  @Prop({ type: String, required: true, enum: MEMBERSHIPS })
  membership: Membership;

  /** Integer cents: the API's `total_spent` is total_spent_cents / 100. */
  @Prop({ required: true, min: 0, default: 0, validate: { validator: Number.isInteger, message: 'total_spent_cents must be an integer' } })
  total_spent_cents: number;

  /** Titles of the games bought, in order (the sample data's shape). */
  @Prop({ type: [String], default: [] })
  bought: string[];
}

export type ClientRecord = Client & { _id: Types.ObjectId };

export const ClientSchema = SchemaFactory.createForClass(Client);
ClientSchema.index({ membership: 1 });
