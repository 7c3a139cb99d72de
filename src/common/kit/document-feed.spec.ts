import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { collectionOf, documentFeed } from './document-feed';

@Schema({ collection: 'widgets' })
class Widget {
  @Prop() name: string;
}

@Schema()
class Unnamed {
  @Prop() name: string;
}

describe('documentFeed', () => {
  it('feeds from the collection the schema declares, so the name is written once', () => {
    const schema = SchemaFactory.createForClass(Widget);
    expect(collectionOf(schema)).toBe('widgets');
    const feed = documentFeed(schema, 'widgets-ns');
    expect(feed.collection).toBe('widgets');
    expect(feed.targets({ operationType: 'update', id: 'a1' })).toEqual([{ namespace: 'widgets-ns', ids: ['a1'] }]);
  });

  it('refuses a schema that leaves the collection to Mongoose (a pluralized name the feed would have to guess)', () => {
    expect(() => collectionOf(SchemaFactory.createForClass(Unnamed))).toThrow('@Schema({ collection:');
  });
});
