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
  /** Every candidate cooling down: try the one that cools down first, or refuse (503 + Retry-After). */
  whenAllCooling: "try_soonest" | "reject";
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
    whenAllCooling: c.when_all_cooling ?? "try_soonest",
  };
}

/** Why an upstream is not a candidate right now (limits and health add their reasons). */
export type Gate = { ok: true } | { ok: false; why: "limited" | "cooling" | "busy" | "misconfigured"; retryAfterMs: number };
const OPEN: Gate = { ok: true };

export interface Planned {
  upstreams: PoolUpstream[];
  /** The model name each planned upstream gets (null: unchanged or no model). */
  models: (string | null)[];
  /** Tried although out of rotation (pinned, or every candidate cooling): health does not refuse it. */
  forced: boolean;
}

export interface RouterDeps {
  pool: Pool;
  random?: () => number;
  /** Limits and health: may this upstream take a request now? */
  gate?: (u: PoolUpstream) => Gate;
}

const MAX_LISTED = 50;
/** Retry-After in whole seconds, at least 1; a limit of 0 (never frees up) says one day. */
export const retryAfterHeader = (ms: number) => ({ "retry-after": String(Math.max(1, Math.ceil(Math.min(ms, 86_400_000) / 1000))) });

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

    /**
     * The failover plan for a request, or the error that ends it. `pinned`: that upstream only;
     * `allow`: only upstreams it accepts (a client key's groups).
     */
    plan(model: string | null, pinned: PoolUpstream | null, allow: ((u: PoolUpstream) => boolean) | null = null): Planned | HttpError {
      if (pinned && allow && !allow(pinned)) return new HttpError(403, "upstream_not_allowed", `upstream ${pinned.label} is not in a group this key may use`);
      if (pinned) {
        if (!pinned.enabled) return new HttpError(503, "no_upstream", `upstream ${pinned.label} is disabled; enable it or do not pin it`);
        const g = gate(pinned);
        if (!g.ok && (g.why === "limited" || g.why === "busy")) return new HttpError(429, "rate_limit_exceeded", `upstream ${pinned.label} is at its limit`, retryAfterHeader(g.retryAfterMs));
        return { upstreams: [pinned], models: [mappedFor(pinned, model)], forced: true }; // a pin is explicit: health does not overrule it
      }
      const enabled = allow ? deps.pool.candidates().filter(allow) : deps.pool.candidates();
      if (enabled.length === 0) {
        const why = allow && deps.pool.candidates().length > 0
          ? "no enabled upstream is in a group this key may use (upstreams' group, the key's groups)"
          : deps.pool.all().length > 0
            ? "every upstream is disabled (or has a limit of 0, never used); enable one through the admin API or upstreams.yaml"
            : "no upstream is configured; add one to upstreams.yaml or POST /admin/upstreams";
        return new HttpError(503, "no_upstream", why);
      }
      const candidates: PoolUpstream[] = [];
      let serving = 0;
      let limited = 0;
      let limitedMs = Infinity;
      let coolingMs = Infinity;
      let cooling: PoolUpstream | null = null;
      for (const u of enabled) {
        if (u.matcher.resolve(model) === undefined) continue;
        serving++;
        const g = gate(u);
        if (g.ok) candidates.push(u);
        else if (g.why === "limited" || g.why === "busy") {
          limited++;
          limitedMs = Math.min(limitedMs, g.retryAfterMs);
        } else if (g.why === "cooling" && g.retryAfterMs < coolingMs) {
          cooling = u;
          coolingMs = g.retryAfterMs;
        } // misconfigured: its key was refused; never tried until it is edited or tested
      }
      if (serving === 0) {
        const models = deps.pool.advertised() ?? [];
        const list = models.length > MAX_LISTED ? `${models.slice(0, MAX_LISTED).join(", ")}, …` : models.join(", ");
        return new HttpError(404, "model_not_found", `no upstream serves model ${JSON.stringify(model)}${list ? `; available: ${list}` : ""}`);
      }
      let forced = false;
      if (candidates.length === 0) {
        const what = `every upstream serving ${JSON.stringify(model)}`;
        if (cooling && settings.whenAllCooling === "try_soonest") {
          // Rather than fail blindly, try the one whose cooldown ends first; its answer decides like a trial.
          candidates.push(cooling);
          forced = true;
        } else if (cooling) {
          return new HttpError(503, "no_upstream", `${what} is cooling down after failures; retry later`, retryAfterHeader(Math.min(coolingMs, limitedMs)));
        } else if (limited > 0) {
          return new HttpError(429, "rate_limit_exceeded", `${what} is at its rate limit`, retryAfterHeader(limitedMs));
        } else {
          return new HttpError(503, "no_upstream", `${what} is misconfigured: it refused its key (401/403); fix the key, or run routectl test once it is fixed`);
        }
      }
      const ordered = planOrder(candidates, strategyFor(model), env, settings.maxAttempts, model ?? "");
      return { upstreams: ordered, models: ordered.map((u) => mappedFor(u, model)), forced };
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
