import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMeta } from '../../common/pagination';
import { MONTH_KEYS } from '../commerce.constants';

/* Response shapes, for the OpenAPI document. */

class JobPhaseView {
  @ApiProperty({ example: 'customers' }) label: string;
  @ApiProperty({ example: 'documents' }) unit: string;
  @ApiProperty() done: number;
  @ApiProperty() total: number;
}

export class CommerceJobView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['generate', 'crunch'] }) kind: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) status: string;
  @ApiProperty() started_at: Date;
  @ApiPropertyOptional() finished_at?: Date;
  @ApiProperty({ type: [JobPhaseView], description: 'phases so far; the last one is the current one while running' })
  phases: JobPhaseView[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'when succeeded: counts and timings' })
  result?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'when failed' }) error?: string;
}

export class ResetResult {
  @ApiProperty({ type: [String], description: 'the collections dropped' }) dropped: string[];
}

class CustomerDetails {
  @ApiProperty() first_name: string;
  @ApiProperty() last_name: string;
}

/** One row of the monthly-spending table. */
export class SpendingRow {
  @ApiProperty() _id: string;
  @ApiProperty() customer_id: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: CustomerDetails }) details: CustomerDetails;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: `month (${MONTH_KEYS.join(', ')}) → amount spent` })
  monthly_spenses: Record<string, number>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
    description: 'month → category → amount',
  })
  categorized_monthly_expenses: Record<string, Record<string, number>>;
  @ApiProperty() monthly_avg_expense: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'category → average over the 12 months' })
  categorized_monthly_avg_expense: Record<string, number>;
}

export class SpendingPage extends PageMeta {
  @ApiProperty({ type: [SpendingRow] }) items: SpendingRow[];
}

class OrderView {
  @ApiProperty() _id: string;
  @ApiProperty() customer_id: string;
  @ApiProperty() cart_id: string;
  @ApiProperty() created_at: Date;
}

export class OrderResult {
  @ApiProperty({ type: OrderView }) order: OrderView;
  @ApiProperty({ type: SpendingRow, nullable: true, description: "the customer's recomputed row; null before the first crunch" })
  spending: SpendingRow | null;
}
