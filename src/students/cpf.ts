/**
 * Brazilian CPF: 9 base digits + 2 check digits (mod 11). Stored as 11 digits; shown as
 * 000.000.000-00, or masked (***.456.789-**) to anyone who may not see it whole.
 */

function checkDigit(digits: string): number {
  // weights count down from digits.length + 1 to 2
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (digits.length + 1 - i);
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** The two check digits of a 9-digit base. */
export function cpfCheckDigits(base: string): string {
  const first = checkDigit(base);
  return `${first}${checkDigit(base + first)}`;
}

/** "123.456.789-09" or "12345678909" → "12345678909"; anything else → undefined. */
export function normalizeCpf(input: string): string | undefined {
  if (/^\d{11}$/.test(input)) return input;
  const match = /^(\d{3})\.(\d{3})\.(\d{3})-(\d{2})$/.exec(input);
  return match ? match.slice(1).join('') : undefined;
}

export function isValidCpf(input: string): boolean {
  const digits = normalizeCpf(input);
  if (!digits) return false;
  // 000.000.000-00, 111.111.111-11, ... pass the arithmetic but are not issued
  if (/^(\d)\1{10}$/.test(digits)) return false;
  return cpfCheckDigits(digits.slice(0, 9)) === digits.slice(9);
}

export function formatCpf(digits: string): string {
  return `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6, 9)}-${digits.slice(9, 11)}`;
}

/** Keeps the middle six digits, the usual Brazilian masking of published lists. */
export function maskCpf(digits: string): string {
  return `***.${digits.slice(3, 6)}.${digits.slice(6, 9)}-**`;
}

// Generated CPFs: base = (OFFSET + index × STEP) mod 10⁹ is a bijection on indices below 10⁹
// (STEP is coprime with 10⁹), so a generator run never repeats a CPF; the first index that lands on
// an unissued all-same-digit base is 57,186,982, far above any run.
const CPF_SPACE = 1_000_000_000;
const CPF_STEP = 387_420_489; // 3^18
const CPF_OFFSET = 135_792_468;

export function generatedCpf(index: number): string {
  const base = Number((BigInt(CPF_OFFSET) + BigInt(index) * BigInt(CPF_STEP)) % BigInt(CPF_SPACE));
  const digits = String(base).padStart(9, '0');
  return digits + cpfCheckDigits(digits);
}
