import { Module } from '@nestjs/common';
import { ChangeFeedModule } from '../infra/cache';
import { MongooseModule } from '@nestjs/mongoose';
import {
  CommerceCommand,
  CommerceCrunchCommand,
  CommerceFindCommand,
  CommerceGenerateCommand,
  CommerceResetCommand,
} from './cli/commerce.command';
import { CommerceController } from './commerce.controller';
import { CommerceDataService } from './commerce-data.service';
import { CommerceSeeder } from './commerce.seeder';
import { CrunchService } from './crunch/crunch.service';
import { GeneratorService } from './generator/generator.service';
import { CommerceJobsService } from './jobs/commerce-jobs.service';
import { OrdersService } from './orders.service';
import { Cart, CartSchema } from './schemas/cart.schema';
import { Customer, CustomerSchema } from './schemas/customer.schema';
import { CustomerMonthlySpending, CustomerMonthlySpendingSchema } from './schemas/customer-monthly-spending.schema';
import { Order, OrderSchema } from './schemas/order.schema';
import { Product, ProductSchema } from './schemas/product.schema';
import { SpendingService } from './spending.service';
import { SPENDING_FEED } from './commerce.feed';

/** A generated e-commerce dataset and the monthly-spending analytics table built from it. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Customer.name, schema: CustomerSchema },
      { name: Product.name, schema: ProductSchema },
      { name: Cart.name, schema: CartSchema },
      { name: Order.name, schema: OrderSchema },
      { name: CustomerMonthlySpending.name, schema: CustomerMonthlySpendingSchema },
    ]),
    ChangeFeedModule.forFeature([SPENDING_FEED]),
  ],
  controllers: [CommerceController],
  providers: [
    CommerceDataService,
    GeneratorService,
    CrunchService,
    SpendingService,
    OrdersService,
    CommerceJobsService,
    CommerceSeeder,
    CommerceCommand,
    CommerceGenerateCommand,
    CommerceResetCommand,
    CommerceCrunchCommand,
    CommerceFindCommand,
  ],
})
export class CommerceModule {}
