import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/** A user's collection of images and PDFs (the ImageDoc design: "Coleções"). */
@Schema({ collection: 'collections', versionKey: false, timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' } })
export class DocCollection {
  @Prop({ type: Types.ObjectId, required: true, index: true })
  user_id: Types.ObjectId;

  @Prop({ required: true, trim: true })
  title: string;

  @Prop({ default: '' })
  description: string;

  /** Ids of the collection's documents, in upload order (kept in step by the documents service). */
  @Prop({ type: [Types.ObjectId], default: [] })
  documents: Types.ObjectId[];

  created_at: Date;
  updated_at: Date;
}

export const DocCollectionSchema = SchemaFactory.createForClass(DocCollection);
// One user's list, newest first.
DocCollectionSchema.index({ user_id: 1, created_at: -1, _id: -1 });
