import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ChangeFeedModule } from '../infra/cache';
import { CacheDemoController } from './cache-demo.controller';
import { CacheDemoService, DEMO_FEED } from './cache-demo.service';
import { DemoItem, DemoItemSchema } from './schemas/demo-item.schema';

/** The worked example of the guide "Adding a cached resource" (docs/guides/adding-a-cached-resource.md). */
@Module({
  imports: [MongooseModule.forFeature([{ name: DemoItem.name, schema: DemoItemSchema }]), ChangeFeedModule.forFeature([DEMO_FEED])],
  controllers: [CacheDemoController],
  providers: [CacheDemoService],
})
export class CacheDemoModule {}
