// What a request cost, in integer micro-dollars, and which price said so. A price is found in this
// order: the serving upstream's `prices` (resellers, self-hosted models), the config's `prices`,
// then the built-in table (genai-prices, offline) at the upstream's provider. Each list is model
// globs, first match in file order. A group ratio then multiplies the cost of requests served by
// an upstream of that group: the first of the upstream's groups that `group_ratio` lists.
import type { PriceTable } from "../../shared/upstream-fields.ts";
import type { ConfigFile } from "../config/schema.ts";
import type { Usage } from "../proxy/reply.ts";
import { globToRegExp } from "../routing/models.ts";
import { costMicros, PPM, ratesOfSpec, ratioPpm, type Rates } from "./rates.ts";
import { providerOf, tablePrice } from "./table.ts";

export type UnknownPrice = "allow" | "refuse";
export type PricerConfig = Pick<ConfigFile, "prices" | "group_ratio" | "unknown_price">;

/** The upstream fields pricing reads (a PoolUpstream has them all). */
export interface PricedUpstream {
  id: number;
  label: string;
  endpoint: string;
  type: string;
  groups: readonly string[];
  prices?: PriceTable | null;
}

export interface CostQuery {
  /** The model the upstream served: the mapped name when a mapping applied, else the requested one. */
  model: string | null;
  upstream: PricedUpstream | null;
  usage: Usage;
}

export interface EstimateQuery {
  model: string | null;
  /** The upstreams the request may be served by. */
  upstreams: readonly PricedUpstream[];
  promptTokens: number;
  completionTokens: number;
}

/** `source`: "table:openai/gpt-4o", "config:gpt-4o*" or "upstream:reseller", plus " ×1.5 vip" with a group ratio. */
export interface Cost {
  micros: number;
  source: string;
}

export interface Pricer {
  /** null: no known price for the model (or no token counts in the usage). */
  cost(q: CostQuery): Cost | null;
  /** The highest cost among the candidates that have a price (for a budget reservation); null if none has. */
  estimate(q: EstimateQuery): Cost | null;
  /** Whether budgeted keys may use a model without a known price. */
  readonly unknownPrice: UnknownPrice;
}

interface Rule {
  glob: string;
  test: (model: string) => boolean;
  rates: Rates;
}

function compileRules(table: PriceTable): Rule[] {
  return Object.entries(table).map(([glob, spec]) => {
    const re = /[*?]/.test(glob) ? globToRegExp(glob) : null;
    return { glob, test: re ? (m) => re.test(m) : (m) => m === glob, rates: ratesOfSpec(spec) };
  });
}

// Upstream price lists are compiled once per record (a store change brings new objects).
const upstreamRules = new WeakMap<PriceTable, Rule[]>();
function rulesOf(table: PriceTable): Rule[] {
  let r = upstreamRules.get(table);
  if (!r) upstreamRules.set(table, (r = compileRules(table)));
  return r;
}

export function createPricer(config: PricerConfig, now: () => number = Date.now): Pricer {
  const global = compileRules(config.prices ?? {});
  const ratios = new Map(Object.entries(config.group_ratio ?? {}).map(([g, r]) => [g, { ppm: ratioPpm(r), label: ` ×${r} ${g}` }]));

  // Every logged row asks: the answer per (upstream, model) is kept, bounded (model names come
  // from clients), for the life of this pricer (a config reload builds a new one).
  // Kept for a day at most: the table has prices that start at a date.
  let memo = new WeakMap<PricedUpstream, Map<string, { rates: Rates; source: string } | null>>();
  let memoDay = -1;
  const noUpstream = {} as PricedUpstream;
  function priceOf(model: string, u: PricedUpstream | null): { rates: Rates; source: string } | null {
    const day = Math.floor(now() / 86_400_000);
    if (day !== memoDay) {
      memo = new WeakMap();
      memoDay = day;
    }
    let byModel = memo.get(u ?? noUpstream);
    if (!byModel) memo.set(u ?? noUpstream, (byModel = new Map()));
    let hit = byModel.get(model);
    if (hit === undefined) {
      hit = lookUp(model, u);
      if (byModel.size < 1024) byModel.set(model, hit);
    }
    return hit;
  }

  function lookUp(model: string, u: PricedUpstream | null): { rates: Rates; source: string } | null {
    const own = u?.prices ? rulesOf(u.prices).find((r) => r.test(model)) : undefined;
    if (own) return { rates: own.rates, source: `upstream:${u!.label}` };
    const configured = global.find((r) => r.test(model));
    if (configured) return { rates: configured.rates, source: `config:${configured.glob}` };
    const hit = tablePrice(u ? providerOf(u) : null, model, new Date(now()));
    return hit && { rates: hit.rates, source: `table:${hit.key}` };
  }

  function ratioOf(u: PricedUpstream | null) {
    if (!u || ratios.size === 0) return null;
    for (const g of u.groups) {
      const r = ratios.get(g);
      if (r) return r;
    }
    return null;
  }

  function cost({ model, upstream, usage }: CostQuery): Cost | null {
    if (model === null) return null;
    const price = priceOf(model, upstream);
    if (!price) return null;
    const ratio = ratioOf(upstream);
    const micros = costMicros(price.rates, usage, ratio?.ppm ?? PPM);
    return micros === null ? null : { micros, source: ratio ? price.source + ratio.label : price.source };
  }

  return {
    unknownPrice: config.unknown_price ?? "allow",
    cost,
    estimate({ model, upstreams, promptTokens, completionTokens }) {
      const usage: Usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
      let best: Cost | null = null;
      for (const upstream of upstreams.length > 0 ? upstreams : [null]) {
        const c = cost({ model, upstream, usage });
        if (c && (best === null || c.micros > best.micros)) best = c;
      }
      return best;
    },
  };
}

/** The daemon's pricer: one object whose prices follow config reloads (`configure` on each). */
export function livePricer(config: PricerConfig, now?: () => number): Pricer & { configure(c: PricerConfig): void } {
  let current = createPricer(config, now);
  return {
    cost: (q) => current.cost(q),
    estimate: (q) => current.estimate(q),
    get unknownPrice() {
      return current.unknownPrice;
    },
    configure(c) {
      current = createPricer(c, now);
    },
  };
}
