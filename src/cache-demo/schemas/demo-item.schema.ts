import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A small document for the cache's tests and benchmark (`DEMO_ROUTES=true`). */
@Schema({ collection: 'demo_items', versionKey: false })
export class DemoItem {
  @Prop({ required: true }) name: string;
  @Prop({ required: true }) price: number;
  @Prop({ type: [String], default: [] }) tags: string[];
  @Prop({ default: '' }) description: string;
}

export const DemoItemSchema = SchemaFactory.createForClass(DemoItem);
