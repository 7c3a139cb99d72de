import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMeta } from '../../common/pagination';
import { MONTH_KEYS } from '../commerce.constants';

/* Response shapes, for the OpenAPI document. */

class JobPhaseView {
  @ApiProperty({ example: 'customers' }) label: string;
  @ApiProperty({ example: 'documents' }) unit: string;
  @ApiProperty({ example: 1200 }) done: number;
  @ApiProperty({ example: 5000 }) total: number;
}

export class CommerceJobView {
  @ApiProperty({ format: 'uuid', example: '0b6f3c52-7a1e-4f0e-9d2b-5c8a41e07d3f' }) id: string;
  @ApiProperty({ enum: ['generate', 'crunch'] }) kind: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) status: string;
  @ApiProperty({ example: '2026-05-04T12:00:03.000Z' }) started_at: Date;
  @ApiPropertyOptional({ example: '2026-05-04T12:00:41.000Z', description: 'once it succeeded or failed' }) finished_at?: Date;
  @ApiProperty({ type: [JobPhaseView], description: 'phases so far; the last one is the current one while running' })
  phases: JobPhaseView[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'when succeeded: counts and timings',
    example: { customers: 5000, products: 800, carts: 41_230, orders: 38_904, seconds: 37.6 },
  })
  result?: Record<string, unknown>;
  @ApiPropertyOptional({ example: 'E11000 duplicate key error collection: commerce.customers', description: 'when failed' }) error?: string;
}

export class ResetResult {
  @ApiProperty({
    type: [String],
    example: ['customers', 'products', 'carts', 'orders', 'customer_monthly_spending'],
    description: 'the collections dropped',
  })
  dropped: string[];
}

class CustomerDetails {
  @ApiProperty({ example: 'Mariana' }) first_name: string;
  @ApiProperty({ example: 'Albuquerque' }) last_name: string;
}

/** One row of the monthly-spending table. */
export class SpendingRow {
  @ApiProperty({ example: '6554ae80a1b2c3d4e5f60102' }) _id: string;
  @ApiProperty({ example: '6554ae80a1b2c3d4e5f60102' }) customer_id: string;
  @ApiProperty({ example: 'mariana.albuquerque@example.com' }) email: string;
  @ApiProperty({ type: CustomerDetails }) details: CustomerDetails;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: `month (${MONTH_KEYS.join(', ')}) → amount spent`,
    example: { jan: 0, fev: 129.9, mar: 342.5, abr: 0, mai: 58.0, jun: 0, jul: 210.75, ago: 0, set: 89.9, out: 0, nov: 450.0, dez: 312.4 },
  })
  monthly_spenses: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
    description: 'month → category → amount',
    example: { fev: { Livros: 129.9 }, mar: { Livros: 42.5, Eletrônicos: 300.0 } },
  })
  categorized_monthly_expenses: Record<string, Record<string, number>>;
  @ApiProperty({ example: 132.83 }) monthly_avg_expense: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'category → average over the 12 months',
    example: { Livros: 14.37, Eletrônicos: 25.0 },
  })
  categorized_monthly_avg_expense: Record<string, number>;
}

export class SpendingPage extends PageMeta {
  @ApiProperty({ type: [SpendingRow] }) items: SpendingRow[];
}

class OrderView {
  @ApiProperty({ example: '6554ae80a1b2c3d4e5f60a17' }) _id: string;
  @ApiProperty({ example: '6554ae80a1b2c3d4e5f60102' }) customer_id: string;
  @ApiProperty({ example: '6554ae80a1b2c3d4e5f60400' }) cart_id: string;
  @ApiProperty({ example: '2025-03-14T12:00:00.000Z' }) created_at: Date;
}

export class OrderResult {
  @ApiProperty({ type: OrderView }) order: OrderView;
  @ApiProperty({ type: SpendingRow, nullable: true, description: "the customer's recomputed row; null before the first crunch" })
  spending: SpendingRow | null;
}
