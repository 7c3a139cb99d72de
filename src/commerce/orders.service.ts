import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { CommerceDataService } from './commerce-data.service';
import { CrunchService } from './crunch/crunch.service';
import { CreateOrderDto } from './dto/create-order.dto';
import { Cart } from './schemas/cart.schema';
import { Customer } from './schemas/customer.schema';
import { CustomerMonthlySpending } from './schemas/customer-monthly-spending.schema';
import { Order } from './schemas/order.schema';
import { SpendingService } from './spending.service';

/** A little slack for clock skew between the caller and us. */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

@Injectable()
export class OrdersService {
  constructor(
    @InjectModel(Order.name) private readonly orders: Model<Order>,
    @InjectModel(Cart.name) private readonly carts: Model<Cart>,
    @InjectModel(Customer.name) private readonly customers: Model<Customer>,
    private readonly crunch: CrunchService,
    private readonly data: CommerceDataService,
    private readonly spending: SpendingService,
  ) {}

  /**
   * Orders a cart for its customer, then recomputes that customer's spending row (incremental
   * crunch, which also invalidates the customer's cached row and every cached search).
   */
  async create(dto: CreateOrderDto): Promise<{ order: Order; spending: CustomerMonthlySpending | null }> {
    const createdAt = dto.created_at ? new Date(dto.created_at) : new Date();
    if (createdAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS) throw new BadRequestException('created_at cannot be in the future');
    const [customer, cart] = await Promise.all([
      this.customers.exists({ customer_id: dto.customer_id }),
      this.carts.findById(dto.cart_id, { customer_id: 1 }).lean(),
    ]);
    if (!customer) throw new NotFoundException(`customer ${dto.customer_id} not found`);
    if (!cart) throw new NotFoundException(`cart ${dto.cart_id} not found`);
    if (cart.customer_id !== dto.customer_id) throw new BadRequestException(`cart ${dto.cart_id} belongs to another customer`);

    let order: Order;
    try {
      order = (
        await this.orders.create({ customer_id: dto.customer_id, cart_id: new Types.ObjectId(dto.cart_id), created_at: createdAt })
      ).toObject();
    } catch (error) {
      if ((error as { code?: number }).code === 11000) throw new ConflictException(`cart ${dto.cart_id} has already been ordered`);
      throw error;
    }
    // No table yet (never crunched): nothing to keep up to date.
    if (!(await this.data.meta())) return { order, spending: null };
    await this.crunch.crunch({ customerIds: [dto.customer_id] });
    return { order, spending: await this.spending.findOne(dto.customer_id) };
  }
}
