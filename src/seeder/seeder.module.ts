import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DemoDataService } from './demo-data.service';
import { SeederRegistry } from './seeder.registry';

/** Finds the feature modules' @Seeder providers; the CLI's `seed` and the first start's demo data use it. */
@Module({
  imports: [DiscoveryModule],
  providers: [SeederRegistry, DemoDataService],
  exports: [SeederRegistry, DemoDataService],
})
export class SeederModule {}
