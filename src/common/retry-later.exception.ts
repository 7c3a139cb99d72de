/** Moved below every feature, next to the error filter that answers it; this path keeps older imports working. */
export { RetryLaterException } from '../infra/http/retry-later.exception';
