import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ChangeFeedModule } from '../infra/cache';
import { DemoBenchController } from './bench/demo-bench.controller';
import { DemoBenchService } from './bench/demo-bench.service';
import { CacheDemoController } from './cache-demo.controller';
import { CacheDemoService, DEMO_FEED } from './cache-demo.service';
import { DemoItem, DemoItemSchema } from './schemas/demo-item.schema';

/** The worked example of README "Adding a cached resource" (bench/ holds benchmark routes, not part of it). */
@Module({
  imports: [MongooseModule.forFeature([{ name: DemoItem.name, schema: DemoItemSchema }]), ChangeFeedModule.forFeature([DEMO_FEED])],
  controllers: [CacheDemoController, DemoBenchController],
  providers: [CacheDemoService, DemoBenchService],
})
export class CacheDemoModule {}
