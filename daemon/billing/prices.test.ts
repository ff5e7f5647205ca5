import { describe, expect, test } from "bun:test";
import type { Usage } from "../proxy/reply.ts";
import { createPricer, livePricer, type PricedUpstream } from "./prices.ts";
import { costMicros, ratesOfSpec } from "./rates.ts";
import { providerOf } from "./table.ts";

// Table prices (USD per million tokens) as genai-prices 0.1.8 ships them, written here once so a
// table update fails these tests loudly instead of changing costs silently.
const GPT_4O = { input: 2.5, cacheRead: 1.25, output: 10 }; // openai/gpt-4o, no cache-write price
const GPT_4O_MINI = { input: 0.15, cacheRead: 0.075, output: 0.6 };
const SONNET_45 = { input: 3, cacheWrite: 3.75, cacheRead: 0.3, output: 15 }; // prompt ≤ 200k tokens
const SONNET_45_LONG = { input: 6, output: 22.5 }; // prompt > 200k tokens
const SONAR_DEEP = { input: 2, output: 8, reasoning: 3 }; // perplexity/sonar-deep-research

const up = (over: Partial<PricedUpstream> = {}): PricedUpstream => ({ id: 1, label: "main", endpoint: "https://api.openai.com/v1", type: "openai", groups: ["default"], ...over });
const usage = (u: Partial<Usage>): Usage => ({ promptTokens: 0, completionTokens: 0, totalTokens: null, ...u });
const pricer = createPricer({});

describe("prices from the table", () => {
  test("gpt-4o at api.openai.com: uncached, cached and output to the micro-dollar", () => {
    const c = pricer.cost({ model: "gpt-4o", upstream: up(), usage: usage({ promptTokens: 1000, cachedTokens: 400, completionTokens: 500 }) });
    expect(c).toEqual({ micros: 600 * GPT_4O.input + 400 * GPT_4O.cacheRead + 500 * GPT_4O.output, source: "table:openai/gpt-4o" });
    expect(c!.micros).toBe(7000);
  });

  test("a dated model name finds its table entry; without a cache-write price writes cost the input price", () => {
    const c = pricer.cost({ model: "gpt-4o-2024-08-06", upstream: up(), usage: usage({ promptTokens: 1000, cacheWriteTokens: 1000 }) });
    expect(c).toEqual({ micros: 1000 * GPT_4O.input, source: "table:openai/gpt-4o" });
  });

  test("claude-sonnet-4-5 at api.anthropic.com: uncached, cache read, cache write, output", () => {
    const u = up({ endpoint: "https://api.anthropic.com/v1" });
    const c = pricer.cost({ model: "claude-sonnet-4-5", upstream: u, usage: usage({ promptTokens: 10_000, cachedTokens: 2_000, cacheWriteTokens: 3_000, completionTokens: 1_000 }) });
    const want = 5_000 * SONNET_45.input + 2_000 * SONNET_45.cacheRead + 3_000 * SONNET_45.cacheWrite + 1_000 * SONNET_45.output;
    expect(c).toEqual({ micros: want, source: "table:anthropic/claude-sonnet-4-5" });
    expect(want).toBe(41_850);
  });

  test("tiered prices: a prompt over 200k tokens is priced at the long-context tier", () => {
    const c = pricer.cost({ model: "claude-sonnet-4-5", upstream: up({ endpoint: "https://api.anthropic.com/v1" }), usage: usage({ promptTokens: 250_000, completionTokens: 1_000 }) });
    expect(c!.micros).toBe(250_000 * SONNET_45_LONG.input + 1_000 * SONNET_45_LONG.output);
  });

  test("reasoning tokens are output unless the table prices them apart", () => {
    const r = usage({ promptTokens: 100, completionTokens: 1_000, reasoningTokens: 600 });
    expect(pricer.cost({ model: "gpt-4o", upstream: up(), usage: r })!.micros).toBe(100 * GPT_4O.input + 1_000 * GPT_4O.output);
    const c = pricer.cost({ model: "sonar-deep-research", upstream: up({ endpoint: "https://api.perplexity.ai" }), usage: r });
    expect(c).toEqual({ micros: 100 * SONAR_DEEP.input + 400 * SONAR_DEEP.output + 600 * SONAR_DEEP.reasoning, source: "table:perplexity/sonar-deep-research" });
  });

  test("the provider follows the upstream: azure by type, an unknown host by the model's own provider", () => {
    const q = { model: "gpt-4o", usage: usage({ promptTokens: 1_000_000 }) };
    expect(pricer.cost({ ...q, upstream: up({ type: "azure", endpoint: "https://x.openai.azure.com" }) })).toEqual({ micros: 1_000_000 * GPT_4O.input, source: "table:azure/gpt-4o" });
    expect(pricer.cost({ ...q, upstream: up({ endpoint: "https://reseller.example/v1" }) })!.source).toBe("table:openai/gpt-4o");
    expect(pricer.cost({ ...q, upstream: null })!.source).toBe("table:openai/gpt-4o");
  });

  test("unknown model, no model, or no token counts: null", () => {
    expect(pricer.cost({ model: "no-such-model-xyz", upstream: up(), usage: usage({ promptTokens: 10 }) })).toBeNull();
    expect(pricer.cost({ model: null, upstream: up(), usage: usage({ promptTokens: 10 }) })).toBeNull();
    expect(pricer.cost({ model: "gpt-4o", upstream: up(), usage: { promptTokens: null, completionTokens: null, totalTokens: null } })).toBeNull();
  });

  test("hostile counts: negative, fractional, cached above the prompt", () => {
    const c = pricer.cost({ model: "gpt-4o", upstream: up(), usage: usage({ promptTokens: 100.9, cachedTokens: 1_000, completionTokens: -5 }) });
    expect(c!.micros).toBe(Math.round(100 * GPT_4O.cacheRead));
  });
});

describe("overrides", () => {
  const config = { prices: { "gpt-4o-mini": { input: 1, output: 2 }, "gpt-4o*": { input: 3, output: 4, cache_read: 0.5 } } };
  const q = (model: string, upstream: PricedUpstream) => createPricer(config).cost({ model, upstream, usage: usage({ promptTokens: 1_000, cachedTokens: 100, completionTokens: 1_000 }) });

  test("config globs, first match in file order, over the table; cache_read defaults to input", () => {
    expect(q("gpt-4o-mini", up())).toEqual({ micros: 1_000 * 1 + 1_000 * 2, source: "config:gpt-4o-mini" });
    expect(q("gpt-4o-2024-11-20", up())).toEqual({ micros: 900 * 3 + 100 * 0.5 + 1_000 * 4, source: "config:gpt-4o*" });
    expect(q("o3", up())!.source).toBe("table:openai/o3");
  });

  test("an upstream's own prices win over the config's", () => {
    const reseller = up({ label: "reseller", endpoint: "https://reseller.example/v1", prices: { "gpt-4o*": { input: 0.5, output: 1, cache_read: 0.1 } } });
    expect(q("gpt-4o-mini", reseller)).toEqual({ micros: 900 * 0.5 + 100 * 0.1 + 1_000 * 1, source: "upstream:reseller" });
    expect(q("o3", reseller)!.source).toBe("table:openai/o3"); // not in its list: the usual order
  });

  test("a self-hosted model the table does not know is priced by the upstream", () => {
    const local = up({ label: "local", endpoint: "http://10.0.0.5:8000/v1", prices: { "llama-*": { input: 0.1, output: 0.2 } } });
    expect(createPricer({}).cost({ model: "llama-3-70b", upstream: local, usage: usage({ promptTokens: 10_000, completionTokens: 5_000 }) })).toEqual({ micros: 2_000, source: "upstream:local" });
  });
});

describe("group ratio", () => {
  const p = createPricer({ group_ratio: { vip: 1.5, cheap: 0.5 } });
  const cost = (groups: string[], u: Partial<Usage>, model = "gpt-4o") => p.cost({ model, upstream: up({ groups }), usage: usage(u) });

  test("the first of the upstream's groups that has a ratio multiplies the cost", () => {
    expect(cost(["default", "vip"], { promptTokens: 1_000 })).toEqual({ micros: 1_000 * GPT_4O.input * 1.5, source: "table:openai/gpt-4o ×1.5 vip" });
    expect(cost(["cheap", "vip"], { promptTokens: 1_000 })).toEqual({ micros: 1_000 * GPT_4O.input * 0.5, source: "table:openai/gpt-4o ×0.5 cheap" });
    expect(cost(["default"], { promptTokens: 1_000 })).toEqual({ micros: 2_500, source: "table:openai/gpt-4o" });
  });

  test("the ratio applies before the single rounding", () => {
    // 10 tokens × 0.15 = 1.5 µUSD; × 1.5 = 2.25 → 2 (rounding first would give 2 × 1.5 = 3).
    expect(cost(["vip"], { promptTokens: 10 }, "gpt-4o-mini")!.micros).toBe(2);
  });
});

describe("rounding and drift", () => {
  const rates = ratesOfSpec({ input: 0.5, output: 0.499999 });

  test("once, half up, to whole micro-dollars", () => {
    expect(costMicros(rates, usage({ promptTokens: 1 }))).toBe(1); // 0.5 → 1
    expect(costMicros(rates, usage({ completionTokens: 1 }))).toBe(0); // 0.499999 → 0
    expect(costMicros(rates, usage({ promptTokens: 1, completionTokens: 1 }))).toBe(1); // 0.999999 → 1
    expect(costMicros(ratesOfSpec({ input: 0.15, output: 0.6 }), usage({ promptTokens: 3 }))).toBe(0); // 0.45
  });

  test("huge counts stay exact (BigInt), no overflow", () => {
    expect(costMicros(ratesOfSpec({ input: 75, output: 0 }), usage({ promptTokens: 1e12 }))).toBe(75e12);
  });

  test("10,000 requests: each cost is its exact price rounded half up; the sum stays within half a micro-dollar per request of the cost of the summed tokens", () => {
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const sum = { prompt: 0, cached: 0, completion: 0 };
    let total = 0;
    for (let i = 0; i < 10_000; i++) {
      const prompt = rnd(5_000);
      const cached = rnd(prompt + 1);
      const completion = rnd(2_000);
      const c = pricer.cost({ model: "gpt-4o-mini", upstream: up(), usage: usage({ promptTokens: prompt, cachedTokens: cached, completionTokens: completion }) })!;
      // Exact price in units of 1e-3 µUSD (the table's prices have 3 decimals), rounded half up by hand.
      const exactMilli = (prompt - cached) * 150 + cached * 75 + completion * 600;
      expect(c.micros).toBe(Math.floor((exactMilli + 500) / 1000));
      total += c.micros;
      sum.prompt += prompt;
      sum.cached += cached;
      sum.completion += completion;
    }
    const whole = pricer.cost({ model: "gpt-4o-mini", upstream: up(), usage: usage({ promptTokens: sum.prompt, cachedTokens: sum.cached, completionTokens: sum.completion }) })!.micros;
    expect(Math.abs(total - whole)).toBeLessThanOrEqual(10_000 / 2);
    expect(Number.isInteger(total)).toBe(true);
  });

  test("whole-micro-dollar requests add up exactly: the sum equals the cost of the summed tokens", () => {
    let total = 0;
    for (let i = 0; i < 10_000; i++) total += pricer.cost({ model: "gpt-4o", upstream: up(), usage: usage({ promptTokens: 2 * (i % 97), cachedTokens: 4 * (i % 7) > 2 * (i % 97) ? 0 : 4 * (i % 7), completionTokens: i % 113 }) })!.micros;
    let p = 0, c = 0, o = 0;
    for (let i = 0; i < 10_000; i++) {
      p += 2 * (i % 97);
      c += 4 * (i % 7) > 2 * (i % 97) ? 0 : 4 * (i % 7);
      o += i % 113;
    }
    expect(total).toBe(pricer.cost({ model: "gpt-4o", upstream: up(), usage: usage({ promptTokens: p, cachedTokens: c, completionTokens: o }) })!.micros);
  });
});

describe("estimate", () => {
  test("the most expensive candidate that has a price", () => {
    const reseller = up({ id: 2, label: "reseller", endpoint: "https://reseller.example/v1", prices: { "gpt-4o": { input: 5, output: 20 } } });
    const free = up({ id: 3, label: "local", prices: { "gpt-4o": { input: 0, output: 0 } } });
    const e = pricer.estimate({ model: "gpt-4o", upstreams: [up(), reseller, free], promptTokens: 1_000, completionTokens: 500 });
    expect(e).toEqual({ micros: 1_000 * 5 + 500 * 20, source: "upstream:reseller" });
    expect(pricer.estimate({ model: "gpt-4o", upstreams: [], promptTokens: 1_000, completionTokens: 0 })).toEqual({ micros: 2_500, source: "table:openai/gpt-4o" });
    expect(pricer.estimate({ model: "no-such-model-xyz", upstreams: [up()], promptTokens: 1, completionTokens: 1 })).toBeNull();
  });
});

describe("settings", () => {
  test("unknown_price defaults to allow; livePricer follows configure()", () => {
    const live = livePricer({});
    expect(live.unknownPrice).toBe("allow");
    const q = { model: "gpt-4o", upstream: up(), usage: usage({ promptTokens: 1_000 }) };
    expect(live.cost(q)!.source).toBe("table:openai/gpt-4o");
    live.configure({ prices: { "gpt-4o": { input: 1, output: 1 } }, unknown_price: "refuse" });
    expect(live.cost(q)).toEqual({ micros: 1_000, source: "config:gpt-4o" });
    expect(live.unknownPrice).toBe("refuse");
  });
});

describe("provider of an upstream", () => {
  test("by type (azure, anthropic, gemini) or by endpoint host; an unknown host has none", () => {
    const at = (endpoint: string, type = "openai") => providerOf({ endpoint, type });
    expect(at("https://api.openai.com/v1")).toBe("openai");
    expect(at("https://api.anthropic.com/v1")).toBe("anthropic");
    expect(at("https://generativelanguage.googleapis.com/v1beta/openai")).toBe("google");
    expect(at("https://api.deepseek.com/v1")).toBe("deepseek");
    expect(at("https://my-resource.openai.azure.com", "azure")).toBe("azure");
    expect(at("https://claude-proxy.example/v1", "anthropic")).toBe("anthropic");
    expect(at("https://gemini-proxy.example/v1beta/openai", "gemini")).toBe("google");
    expect(at("https://reseller.example/v1")).toBeNull();
  });
});
