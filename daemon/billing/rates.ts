// Exact money for one request. A price (USD per million tokens) becomes an integer count of
// micro-dollars per million tokens once, when it is loaded; a cost is Σ tokens × that, in BigInt
// (no overflow, no float), times the group ratio in parts per million, rounded ONCE to whole
// micro-dollars, half up. So a request's cost is within half a micro-dollar of its exact price,
// and the sum of many costs is within half a micro-dollar per request of the cost of their summed
// tokens (and equal to it whenever each exact cost is a whole number of micro-dollars).
import { usdToMicros } from "../../shared/money.ts";
import type { PriceSpec } from "../../shared/upstream-fields.ts";
import type { Usage } from "../proxy/reply.ts";

/** Micro-dollars per million tokens; tiered: the price of the highest tier whose start the prompt exceeds. */
export type Rate = bigint | { base: bigint; tiers: { start: number; rate: bigint }[] };

export interface Rates {
  input: Rate;
  output: Rate;
  cacheRead: Rate;
  cacheWrite: Rate;
  /** Priced apart from output only when the table says so; else reasoning tokens are output. */
  reasoning: Rate | null;
}

const PER_MTOK = 1_000_000n;
export const PPM = 1_000_000n; // group ratios are kept in parts per million
const ROUND_DIVISOR = PER_MTOK * PPM;

/** USD per million tokens → micro-dollars per million tokens, through decimal text (6 decimals kept). */
export function rateOf(usdPerMTok: number): bigint {
  const micros = usdToMicros(usdPerMTok);
  if (micros === null) throw new Error(`not a price: ${usdPerMTok}`);
  return BigInt(micros);
}

/** A multiplier such as 1.5 in parts per million (6 decimals kept). */
export const ratioPpm = (ratio: number): bigint => rateOf(ratio);

/** A price from the config: cache reads and writes cost the input price unless given. */
export function ratesOfSpec(p: PriceSpec): Rates {
  const input = rateOf(p.input);
  return {
    input,
    output: rateOf(p.output),
    cacheRead: p.cache_read === undefined ? input : rateOf(p.cache_read),
    cacheWrite: p.cache_write === undefined ? input : rateOf(p.cache_write),
    reasoning: null,
  };
}

function rateAt(r: Rate, promptTokens: number): bigint {
  if (typeof r === "bigint") return r;
  let rate = r.base;
  for (const t of r.tiers) if (promptTokens > t.start) rate = t.rate;
  return rate;
}

/** Token counts from an upstream are untrusted: whole, non-negative, bounded. */
const tokens = (n: number | null | undefined): number =>
  typeof n === "number" && Number.isFinite(n) && n > 0 ? Math.min(Math.trunc(n), Number.MAX_SAFE_INTEGER) : 0;

/** Cost in whole micro-dollars; null when the usage carries no token counts at all. */
export function costMicros(rates: Rates, usage: Usage, ratio: bigint = PPM): number | null {
  if (usage.promptTokens == null && usage.completionTokens == null) return null;
  const prompt = tokens(usage.promptTokens);
  const completion = tokens(usage.completionTokens);
  const cached = Math.min(tokens(usage.cachedTokens), prompt);
  const cacheWrite = Math.min(tokens(usage.cacheWriteTokens), prompt - cached);
  const reasoning = rates.reasoning === null ? 0 : Math.min(tokens(usage.reasoningTokens), completion);
  const at = (r: Rate) => rateAt(r, prompt);
  const exact =
    BigInt(prompt - cached - cacheWrite) * at(rates.input) +
    BigInt(cached) * at(rates.cacheRead) +
    BigInt(cacheWrite) * at(rates.cacheWrite) +
    BigInt(completion - reasoning) * at(rates.output) +
    (rates.reasoning === null ? 0n : BigInt(reasoning) * at(rates.reasoning));
  const micros = (exact * ratio + ROUND_DIVISOR / 2n) / ROUND_DIVISOR; // half up: all terms are ≥ 0
  return micros > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(micros);
}
