import { IsOptional, IsString, MinLength } from 'class-validator';

/** Prometheus metrics (src/infra/metrics). */
export class MetricsEnv {
  /** Bearer token for GET /metrics (16+ characters). Unset: /metrics answers 404. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;
}
