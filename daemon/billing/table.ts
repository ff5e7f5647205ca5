// The built-in price table: @pydantic/genai-prices' bundled data, read offline (Route never calls
// its updatePrices, so nothing is fetched). Finding a model scans a provider's list with match
// rules, so a (provider, model) lookup is done once and kept; conversions to integer rates are
// kept per price object. Model names come from clients: the cache is bounded.
import { calcPrice, findProvider, type ModelInfo, type ModelPrice, type Provider } from "@pydantic/genai-prices";
import { rateOf, type Rate, type Rates } from "./rates.ts";

export interface TableHit {
  /** "openai/gpt-4o": the table's provider and model ids. */
  key: string;
  rates: Rates;
}

interface Found {
  key: string;
  model: ModelInfo;
}

const MAX_CACHED = 4096;
const found = new Map<string, Found | null>();
const converted = new WeakMap<ModelPrice, Rates | null>();

function rate(v: ModelPrice[string]): Rate | null {
  if (typeof v === "number") return rateOf(v);
  if (v && typeof v === "object") return { base: rateOf(v.base), tiers: v.tiers.map((t) => ({ start: t.start, rate: rateOf(t.price) })) };
  return null;
}

/** Token prices only (per-request, per-search and media prices do not apply to Route's usage). */
function ratesOf(p: ModelPrice): Rates | null {
  let r = converted.get(p);
  if (r !== undefined) return r;
  const input = rate(p.input_mtok);
  const output = rate(p.output_mtok);
  r = input === null || output === null ? null : { input, output, cacheRead: rate(p.cache_read_mtok) ?? input, cacheWrite: rate(p.cache_write_mtok) ?? input, reasoning: rate(p.output_reasoning_mtok) };
  converted.set(p, r);
  return r;
}

const secondsOfDay = (t: Date) => t.getUTCHours() * 3600 + t.getUTCMinutes() * 60 + t.getUTCSeconds();
function clock(hms: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(hms);
  if (!m) return 0;
  const offset = m[4] === "Z" ? 0 : (m[5] === "+" ? 1 : -1) * (Number(m[6]) * 3600 + Number(m[7]) * 60);
  return (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) - offset + 86_400) % 86_400;
}

/** The price in force at `at` (some models change price on a date or by time of day); genai-prices' own rule. */
function priceAt(model: ModelInfo, at: Date): ModelPrice {
  if (!Array.isArray(model.prices)) return model.prices;
  for (let i = model.prices.length - 1; i >= 0; i--) {
    const { constraint, prices } = model.prices[i]!;
    if (!constraint) return prices;
    if (constraint.type === "start_date" && at >= new Date(constraint.start_date)) return prices;
    if (constraint.type === "time_of_date") {
      const now = secondsOfDay(at);
      const start = clock(constraint.start_time);
      const end = clock(constraint.end_time);
      if (end < start ? now >= start || now < end : now >= start && now < end) return prices;
    }
  }
  return model.prices[0]!.prices;
}

function find(providerId: string | null, model: string): Found | null {
  const id = `${providerId ?? ""}\u0000${model}`;
  let f = found.get(id);
  if (f !== undefined) return f;
  // calcPrice runs genai-prices' own matching (dated names, provider fallbacks); an empty usage costs nothing to price.
  let hit;
  try {
    hit = calcPrice({}, model, providerId ? { providerId } : undefined);
  } catch {
    hit = null; // a table entry genai-prices cannot price: no known price rather than a failed request
  }
  f = hit ? { key: `${hit.provider.id}/${hit.model.id}`, model: hit.model } : null;
  if (found.size >= MAX_CACHED) found.clear();
  found.set(id, f);
  return f;
}

/** The table's price of `model` at the provider given (then, failing that, at any provider that lists it). */
export function tablePrice(providerId: string | null, model: string, at: Date): TableHit | null {
  const f = (providerId ? find(providerId, model) : null) ?? find(null, model);
  if (!f) return null;
  const rates = ratesOf(priceAt(f.model, at));
  return rates ? { key: f.key, rates } : null;
}

const byUrl = new Map<string, string | null>();
// An upstream's type names its provider wherever its endpoint is (a proxy in front of Anthropic, Vertex…).
const PROVIDER_BY_TYPE: Record<string, string> = { azure: "azure", anthropic: "anthropic", gemini: "google" };

/** The table's provider for an upstream: by its type (azure, anthropic, gemini), others by their endpoint (api.openai.com → openai…). */
export function providerOf(u: { type: string; endpoint: string }): string | null {
  const byType = PROVIDER_BY_TYPE[u.type];
  if (byType) return byType;
  let p = byUrl.get(u.endpoint);
  if (p === undefined) {
    p = (findProvider({ providerApiUrl: u.endpoint }) as Provider | undefined)?.id ?? null;
    if (byUrl.size >= MAX_CACHED) byUrl.clear();
    byUrl.set(u.endpoint, p);
  }
  return p;
}
