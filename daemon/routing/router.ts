// Chooses the upstreams one request may try, once per request: candidates (enabled, serve the
// model, under their limits, not cooling down), ordered by the strategy for that model into a
// tiered failover plan. Pure given the pool, the settings and the injected random source.
import type { ConfigFile } from "../config/schema.ts";
import { HttpError } from "../proxy/openai-error.ts";
import { compileModelRules } from "./models.ts";
import type { Pool, PoolUpstream } from "./pool.ts";
import { planOrder } from "./select/plan.ts";
import type { StrategyEnv, StrategyName } from "./select/types.ts";

export interface RoutingSettings {
  strategy: StrategyName;
  /** Per-model overrides, in file order: [matches, strategy]. */
  strategies: [(model: string) => boolean, StrategyName][];
  maxAttempts: number;
  deadlineMs: number;
  allowPinning: boolean;
}

export function routingSettings(c: ConfigFile): RoutingSettings {
  const strategies = Object.entries(c.strategies ?? {}).map(([glob, name]): [(m: string) => boolean, StrategyName] => {
    const m = compileModelRules({ models: [glob], mapping: {} });
    return [(model) => m.resolve(model) !== undefined, name];
  });
  return {
    strategy: c.strategy ?? "priority",
    strategies,
    maxAttempts: c.max_attempts ?? Infinity,
    deadlineMs: c.deadline ?? Infinity,
    allowPinning: c.allow_pinning ?? false,
  };
}

/** Why an upstream is not a candidate right now (limits and health add their reasons). */
export type Gate = { ok: true } | { ok: false; why: "limited" | "cooling" | "busy"; retryAfterMs: number };
const OPEN: Gate = { ok: true };

export interface Planned {
  upstreams: PoolUpstream[];
  /** The model name each planned upstream gets (null: unchanged or no model). */
  models: (string | null)[];
}

export interface RouterDeps {
  pool: Pool;
  random?: () => number;
  /** Limits and health: may this upstream take a request now? */
  gate?: (u: PoolUpstream) => Gate;
}

const MAX_LISTED = 50;
const retryAfter = (ms: number) => ({ "retry-after": String(Math.max(1, Math.ceil(ms / 1000))) });

export function createRouter(deps: RouterDeps, initial: RoutingSettings) {
  let settings = initial;
  const env: StrategyEnv = { random: deps.random ?? Math.random, counters: new Map() };
  const gate = deps.gate ?? (() => OPEN);

  function strategyFor(model: string | null): StrategyName {
    if (model !== null) for (const [match, name] of settings.strategies) if (match(model)) return name;
    return settings.strategy;
  }

  function mappedFor(u: PoolUpstream, model: string | null): string | null {
    const m = u.matcher.resolve(model);
    return m && m !== model ? m : null;
  }

  return {
    get settings() {
      return settings;
    },
    configure(next: RoutingSettings) {
      settings = next;
    },

    /** The failover plan for a request, or the error that ends it. `pinned`: that upstream only. */
    plan(model: string | null, pinned: PoolUpstream | null): Planned | HttpError {
      if (pinned) {
        if (!pinned.enabled) return new HttpError(503, "no_upstream", `upstream ${pinned.label} is disabled; enable it or do not pin it`);
        const g = gate(pinned);
        if (!g.ok && g.why !== "cooling") return new HttpError(429, "rate_limit_exceeded", `upstream ${pinned.label} is at its limit`, retryAfter(g.retryAfterMs));
        return { upstreams: [pinned], models: [mappedFor(pinned, model)] };
      }
      const enabled = deps.pool.candidates();
      if (enabled.length === 0) {
        const why =
          deps.pool.all().length > 0
            ? "every upstream is disabled; enable one through the admin API or upstreams.yaml"
            : "no upstream is configured; add one to upstreams.yaml or POST /admin/upstreams";
        return new HttpError(503, "no_upstream", why);
      }
      const candidates: PoolUpstream[] = [];
      let serving = 0;
      let limited = 0;
      let soonest = Infinity;
      let cooling: PoolUpstream | null = null;
      for (const u of enabled) {
        if (u.matcher.resolve(model) === undefined) continue;
        serving++;
        const g = gate(u);
        if (g.ok) candidates.push(u);
        else {
          if (g.why === "limited" || g.why === "busy") limited++;
          else if (!cooling || g.retryAfterMs < soonest) cooling = u;
          soonest = Math.min(soonest, g.retryAfterMs);
        }
      }
      if (serving === 0) {
        const models = deps.pool.advertised() ?? [];
        const list = models.length > MAX_LISTED ? `${models.slice(0, MAX_LISTED).join(", ")}, …` : models.join(", ");
        return new HttpError(404, "model_not_found", `no upstream serves model ${JSON.stringify(model)}${list ? `; available: ${list}` : ""}`);
      }
      if (candidates.length === 0) {
        if (limited === serving) return new HttpError(429, "rate_limit_exceeded", `every upstream serving ${JSON.stringify(model)} is at its rate limit`, retryAfter(soonest));
        // Some (or all) are cooling down: try the one whose cooldown ends first rather than fail blindly.
        if (cooling) candidates.push(cooling);
      }
      const ordered = planOrder(candidates, strategyFor(model), env, settings.maxAttempts, model ?? "");
      return { upstreams: ordered, models: ordered.map((u) => mappedFor(u, model)) };
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
