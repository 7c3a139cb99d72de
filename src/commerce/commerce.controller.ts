import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiCreatedResponse, ApiOperation } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PaginationQuery, pageWindow } from '../common/pagination';
import { Cached, CACHE_HEADERS, setCacheHeaders, TwoTierCache } from '../infra/cache';
import { ApiErrors } from '../infra/http/api-errors.decorator';
import { isMongoUnavailable } from '../infra/mongo/mongo-errors';
import { SPENDING_NS } from './commerce.constants';
import { CommerceDataService } from './commerce-data.service';
import { CrunchService } from './crunch/crunch.service';
import { CrunchBodyDto, GenerateBodyDto } from './dto/commerce-admin.dto';
import { CommerceJobView, OrderResult, ResetResult, SpendingPage, SpendingRow } from './dto/commerce.response';
import { CreateOrderDto } from './dto/create-order.dto';
import { CustomerIdParam, JobIdParam, SpendingSearchDto } from './dto/spending.dto';
import { canonicalFilter, SpendingFilterError, validateSpendingFilter } from './find/spending-filter';
import { GeneratorService } from './generator/generator.service';
import { CommerceJobsService } from './jobs/commerce-jobs.service';
import { OrdersService } from './orders.service';
import { SpendingService } from './spending.service';
import { AdminOnly } from '../auth/access';
import { Public } from '../common/kit/access';
import { ApiTag } from '../infra/http/api-tag';

@ApiTag('commerce', 'Commerce dataset: generator, crunch jobs, the monthly-spending table, orders')
@Controller('commerce')
export class CommerceController {
  constructor(
    private readonly generator: GeneratorService,
    private readonly crunchService: CrunchService,
    private readonly data: CommerceDataService,
    private readonly jobs: CommerceJobsService,
    private readonly spending: SpendingService,
    private readonly orders: OrdersService,
    private readonly cache: TwoTierCache,
  ) {}

  @Post('generate')
  @HttpCode(202)
  @AdminOnly()
  @ApiOperation({
    summary: 'Generate customers, products, carts and orders (a job; poll GET /commerce/jobs/:id)',
    description:
      'Answers 202 with the job at once; the data is deterministic for a given `seed`. 409 while another job runs, or when data exists and `reset` is not true.',
  })
  @ApiAcceptedResponse({ type: CommerceJobView, description: 'the job, with its id' })
  @ApiErrors({ 409: 'a job is running, or commerce data exists and reset was not asked for' })
  async generate(@Body() body: GenerateBodyDto) {
    this.jobs.assertIdle();
    const options = { customers: body.customers, maxOrders: body.max_orders, products: body.products, year: body.year, seed: body.seed };
    this.generator.resolveSpec(options);
    if (!body.reset) await this.generator.assertEmpty();
    return this.jobs.start('generate', (progress) => this.generator.generate({ ...options, reset: body.reset }, progress));
  }

  @Post('crunch')
  @HttpCode(202)
  @AdminOnly()
  @ApiOperation({
    summary: 'Build the spending table (all customers, or only customer_ids) as a job',
    description:
      "Computes each customer's monthly spending per category from their orders, into the table GET /commerce/spending reads. Answers 202 with the job; poll GET /commerce/jobs/{id}.",
  })
  @ApiAcceptedResponse({ type: CommerceJobView, description: 'the job, with its id' })
  @ApiErrors({ 404: 'unknown customer_id', 409: 'a job is running' })
  async crunch(@Body() body: CrunchBodyDto) {
    this.jobs.assertIdle();
    const options = { year: body.year, customerIds: body.customer_ids };
    await this.crunchService.resolveScope(options); // bad years and unknown customers are a 400 / 404 now, not a failed job
    return this.jobs.start('crunch', (progress) => this.crunchService.crunch(options, progress));
  }

  @Post('reset')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({
    summary: 'Drop every commerce collection and the spending table',
    description: 'Also drops every cached spending answer. 409 while a job runs.',
  })
  @ApiOkResponse({ type: ResetResult })
  @ApiErrors({ 409: 'a job is running' })
  async reset() {
    this.jobs.assertIdle();
    return { dropped: await this.data.reset() };
  }

  @Get('jobs/:id')
  @AdminOnly()
  @ApiOperation({
    summary: 'A generate or crunch job: status, progress per phase, result or error',
    description: 'Jobs live in the memory of the instance that started them: ask that instance (404 on the others, and after a restart).',
  })
  @ApiOkResponse({ type: CommerceJobView })
  @ApiErrors({ 404: 'no such job on this instance' })
  job(@Param() { id }: JobIdParam) {
    const job = this.jobs.get(id);
    if (!job) throw new NotFoundException(`no job ${id} on this instance`);
    return job;
  }

  @Get('spending/:customer_id')
  @Public()
  @Cached({ namespace: SPENDING_NS, kind: 'id', idParam: 'customer_id' })
  @ApiOperation({
    summary: "A customer's row of the spending table",
    description:
      "Public and cached per customer: monthly totals, per-category totals and averages as the last crunch computed them (an order recomputes the customer's row and drops this copy).",
  })
  @ApiOkResponse({ type: SpendingRow })
  @ApiErrors({ 404: 'unknown customer, or crunch has not run' })
  spendingRow(@Param() { customer_id }: CustomerIdParam) {
    return this.spending.findOne(customer_id);
  }

  @Post('spending/search')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Query the spending table with a validated MongoDB filter (paginated, cached)',
    description:
      '`filter` is checked against the allowed fields and operators before it runs (400 otherwise). Answers are cached per (filter, page, limit) until the table changes.',
  })
  @ApiOkResponse({ type: SpendingPage, headers: CACHE_HEADERS })
  async search(@Body() body: SpendingSearchDto, @Query() query: PaginationQuery, @Res({ passthrough: true }) reply: FastifyReply) {
    let filter: Record<string, unknown>;
    try {
      filter = validateSpendingFilter(body.filter);
    } catch (error) {
      if (error instanceof SpendingFilterError) throw new BadRequestException(error.message);
      throw error;
    }
    const window = pageWindow(query);
    // POST bodies are not seen by the route interceptor: keyed as a list variant, so any write to the namespace drops it.
    const outcome = await this.cache.aside({
      namespace: SPENDING_NS,
      parts: { filter: JSON.stringify(canonicalFilter(filter)), page: window.page, limit: window.limit },
      load: () => this.spending.search(filter, window),
      staleIfError: isMongoUnavailable,
    });
    setCacheHeaders(reply, outcome);
    return outcome.body;
  }

  @Post('orders')
  @AdminOnly()
  @ApiOperation({
    summary: "Order a cart; recomputes that customer's spending row and drops its cached copies",
    description:
      'The order is stored and the spending row is recomputed before the answer, which carries both. 409 when the cart was already ordered.',
  })
  @ApiCreatedResponse({ type: OrderResult })
  @ApiErrors({ 404: 'unknown customer or cart', 409: 'the cart has already been ordered' })
  createOrder(@Body() body: CreateOrderDto) {
    return this.orders.create(body);
  }
}
