import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A small catalogue entry: the worked example of a cached resource (`DEMO_ROUTES=true`). */
@Schema({ collection: 'demo_items', versionKey: false })
export class DemoItem {
  @Prop({ required: true }) name: string;
  @Prop({ required: true, min: 0 }) price: number;
  @Prop({ type: [String], default: [] }) tags: string[];
  @Prop({ default: '' }) description: string;
}

export const DemoItemSchema = SchemaFactory.createForClass(DemoItem);
