import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const PUBLICATIONS_COLLECTION = 'publications';

/**
 * The durable record of when an edition's results become public. The instances decide from a copy
 * in Redis (next to the clock they read, see PublicationStore); this is what that copy is rebuilt
 * from when Redis loses it.
 */
@Schema({ collection: PUBLICATIONS_COLLECTION, versionKey: false })
export class Publication {
  /** The edition id (`2026-fuvest`). */
  @Prop({ type: String, required: true })
  _id: string;

  @Prop({ required: true })
  publish_at: Date;

  @Prop({ required: true })
  updated_at: Date;
}

export const PublicationSchema = SchemaFactory.createForClass(Publication);
