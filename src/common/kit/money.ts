import { buildMessage, ValidateBy, ValidationOptions } from 'class-validator';

/** Largest amount accepted (10 million), far below the range where cents stop being exact integers. */
export const MAX_MONEY = 10_000_000;

/**
 * Money is stored as integer cents so sums and comparisons are exact (0.1 + 0.2 never appears);
 * the API speaks decimals (`29.99`).
 */
export function toCents(amount: number): number {
  return Math.round(amount * 100);
}

export function fromCents(cents: number): number {
  return cents / 100;
}

/** True for a finite number ≥ 0 with at most two decimals (within binary-float noise), up to MAX_MONEY. */
export function isMoney(value: unknown): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_MONEY) return false;
  const cents = value * 100;
  return Math.abs(cents - Math.round(cents)) < 1e-6;
}

/** class-validator rule: an amount of money (≥ 0, at most two decimals). */
export function IsMoney(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMoney',
      validator: {
        validate: (value) => isMoney(value),
        defaultMessage: buildMessage(
          (prefix) => `${prefix}$property must be a number ≥ 0 with at most two decimals (max ${MAX_MONEY})`,
          options,
        ),
      },
    },
    options,
  );
}
