// Chooses the upstreams one request may try, once per request: candidates (enabled, serve the
// model, under their limits, not cooling down), ordered by the strategy for that model into a
// tiered failover plan. Pure given the pool, the settings and the injected random source.
import type { ConfigFile } from "../config/schema.ts";
import { HttpError } from "../proxy/openai-error.ts";
import { compileModelRules } from "./models.ts";
import type { Pool, PoolUpstream } from "./pool.ts";
import { planOrder } from "./select/plan.ts";
import { createAffinity, DEFAULT_AFFINITY_SESSIONS, DEFAULT_AFFINITY_TTL_MS, sessionKey } from "./affinity.ts";
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
  affinity: AffinitySettings;
}

export interface AffinitySettings {
  on: boolean;
  /** Per-model overrides, in file order: [matches, on]. */
  models: [(model: string) => boolean, boolean][];
  ttlMs: number;
  maxSessions: number;
  hashPrompt: boolean;
}

const globMatcher = (glob: string) => {
  const m = compileModelRules({ models: [glob], mapping: {} });
  return (model: string) => m.resolve(model) !== undefined;
};

export function routingSettings(c: ConfigFile): RoutingSettings {
  const strategies = Object.entries(c.strategies ?? {}).map(([glob, name]): [(m: string) => boolean, StrategyName] => [globMatcher(glob), name]);
  return {
    strategy: c.strategy ?? "priority",
    strategies,
    maxAttempts: c.max_attempts ?? Infinity,
    deadlineMs: c.deadline ?? Infinity,
    allowPinning: c.allow_pinning ?? false,
    whenAllCooling: c.when_all_cooling ?? "try_soonest",
    affinity: {
      on: c.affinity !== "off",
      models: Object.entries(c.affinity_models ?? {}).map(([glob, v]): [(m: string) => boolean, boolean] => [globMatcher(glob), v === "on"]),
      ttlMs: c.affinity_ttl ?? DEFAULT_AFFINITY_TTL_MS,
      maxSessions: c.affinity_max_sessions ?? DEFAULT_AFFINITY_SESSIONS,
      hashPrompt: c.affinity_hash_prompt ?? false,
    },
  };
}

/** The request's session (null: none, or affinity off) and the upstream affinity put first. */
export interface PlannedSession {
  key: bigint;
  preferred: PoolUpstream | null;
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
  session: PlannedSession | null;
}

export interface RouterDeps {
  pool: Pool;
  random?: () => number;
  /** Limits and health: may this upstream take a request now? */
  gate?: (u: PoolUpstream) => Gate;
  /** Monotonic clock (ms) of affinity's idle timeout. */
  now?: () => number;
  /** Affinity at plan time (hit: the session's upstream leads; miss: it had none among the candidates) and on an answer that moved a session. */
  onAffinity?: (result: "hit" | "miss" | "moved") => void;
}

const MAX_LISTED = 50;
/** Retry-After in whole seconds, at least 1; a limit of 0 (never frees up) says one day. */
export const retryAfterHeader = (ms: number) => ({ "retry-after": String(Math.max(1, Math.ceil(Math.min(ms, 86_400_000) / 1000))) });

export function createRouter(deps: RouterDeps, initial: RoutingSettings) {
  let settings = initial;
  const env: StrategyEnv = { random: deps.random ?? Math.random, counters: new Map() };
  const gate = deps.gate ?? (() => OPEN);
  const affinity = createAffinity({ now: deps.now ?? (() => performance.now()), ...affinityBounds(initial) });
  const onAffinity = deps.onAffinity ?? (() => {});

  function strategyFor(model: string | null): StrategyName {
    if (model !== null) for (const [match, name] of settings.strategies) if (match(model)) return name;
    return settings.strategy;
  }

  /** Priority already sticks to its first upstream: affinity is for the strategies that spread. */
  function affinityFor(model: string | null, strategy: StrategyName): boolean {
    if (strategy === "priority") return false;
    if (model !== null) for (const [match, on] of settings.affinity.models) if (match(model)) return on;
    return settings.affinity.on;
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
      affinity.configure(affinityBounds(next));
    },
    /** Sessions with a live affinity entry. */
    sessions: () => affinity.size(),
    /** `upstream` answered the request: the session's next turn goes there. */
    answered(session: PlannedSession | null, upstream: PoolUpstream) {
      if (session && affinity.record(session.key, upstream.id)) onAffinity("moved");
    },

    /**
     * The failover plan for a request, or the error that ends it. `pinned`: that upstream only;
     * `allow`: only upstreams it accepts (a client key's groups). `identify`: the request's session
     * identity (asked only when affinity applies).
     */
    plan(model: string | null, pinned: PoolUpstream | null, allow: ((u: PoolUpstream) => boolean) | null = null, identify: ((hashPrompt: boolean) => string | null) | null = null): Planned | HttpError {
      if (pinned && allow && !allow(pinned)) return new HttpError(403, "upstream_not_allowed", `upstream ${pinned.label} is not in a group this key may use`);
      if (pinned) {
        if (!pinned.enabled) return new HttpError(503, "no_upstream", `upstream ${pinned.label} is disabled; enable it or do not pin it`);
        const g = gate(pinned);
        if (!g.ok && (g.why === "limited" || g.why === "busy")) return new HttpError(429, "rate_limit_exceeded", `upstream ${pinned.label} is at its limit`, retryAfterHeader(g.retryAfterMs));
        return { upstreams: [pinned], models: [mappedFor(pinned, model)], forced: true, session: null }; // a pin is explicit: health does not overrule it
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
      const strategy = strategyFor(model);
      const identity = identify && affinityFor(model, strategy) ? identify(settings.affinity.hashPrompt) : null;
      const session = identity === null ? null : { key: sessionKey(model, identity), preferred: null as PoolUpstream | null };
      const preferred = session ? affinity.prefer(session.key, candidates) : null;
      const ordered = planOrder(candidates, strategy, env, settings.maxAttempts, model ?? "", preferred);
      if (session) {
        session.preferred = preferred && ordered.includes(preferred) ? preferred : null; // higher tiers may fill max_attempts
        onAffinity(session.preferred ? "hit" : "miss");
      }
      return { upstreams: ordered, models: ordered.map((u) => mappedFor(u, model)), forced, session };
    },
  };
}

const affinityBounds = (s: RoutingSettings) => ({ ttlMs: s.affinity.ttlMs, maxSessions: s.affinity.maxSessions });

export type Router = ReturnType<typeof createRouter>;
