import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CacheDemoController } from './cache-demo.controller';
import { CacheDemoService } from './cache-demo.service';
import { DemoItem, DemoItemSchema } from './schemas/demo-item.schema';

@Module({
  imports: [MongooseModule.forFeature([{ name: DemoItem.name, schema: DemoItemSchema }])],
  controllers: [CacheDemoController],
  providers: [CacheDemoService],
  exports: [CacheDemoService],
})
export class CacheDemoModule {}
