/**
 * `@AdminOnly()` and `@Authenticated()` are declared in infra/http/route-access.ts with the rest of
 * the access vocabulary; this module provides the checks behind them (auth.module.ts).
 */
export { AdminOnly, Authenticated } from '../infra/http/route-access';
