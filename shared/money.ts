// Money is integer micro-dollars everywhere (1 USD = 1_000_000). Conversions go through decimal
// text, never through floating-point multiplication, so "0.1" is exactly 100_000.

export const MICROS_PER_USD = 1_000_000;

/** "12.5", "0.000001", 3 → micro-dollars; null if not a non-negative amount with at most 6 decimals. */
export function usdToMicros(v: string | number): number | null {
  const s = typeof v === "number" ? (Number.isFinite(v) ? v.toFixed(6) : "") : v.trim().replace(/^\$/, "");
  const m = /^(\d{1,12})(?:\.(\d{1,6})0*)?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * MICROS_PER_USD + Number((m[2] ?? "").padEnd(6, "0"));
}

/** Micro-dollars as "12.50" (at least 2 decimals, up to 6, trailing zeros trimmed). */
export function microsToUsd(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const a = Math.abs(Math.trunc(micros));
  const whole = Math.floor(a / MICROS_PER_USD);
  const frac = String(a % MICROS_PER_USD).padStart(6, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${sign}${whole}.${frac}`;
}
