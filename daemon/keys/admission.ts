// What a client key may do with this request, decided before anything is sent upstream:
//   check (before the plan): the caller's address and the model;
//   admit (after the plan):  max_inflight, rpm/rpd/tpm, and the budget, whose reservation is taken
//                            here and settled with the real cost when the request's row is built.
// Reservations make budgets exact under concurrency: every admitted request holds its estimated
// cost until it settles, so parallel requests cannot together spend past the budget.
import { microsToUsd } from "../../shared/money.ts";
import type { Pricer } from "../billing/prices.ts";
import type { RequestContext } from "../proxy/context.ts";
import { HttpError } from "../proxy/openai-error.ts";
import type { PoolUpstream } from "../routing/pool.ts";
import { estimateTokens } from "../routing/guard.ts";
import { retryAfterHeader } from "../routing/router.ts";
import type { KeyEntry, KeyRegistry } from "./registry.ts";
import type { Reservation, SharedBudget } from "./shared-budget.ts";

/** The price side admission needs (daemon/billing/prices.ts): the dearest candidate's cost for a token count. */
export type Estimator = Pick<Pricer, "estimate">;

export interface AdmissionSettings {
  /** "refuse": a budgeted key may not use a model with no known price. */
  unknownPrice: "allow" | "refuse";
  /** Output tokens reserved when the request names no max_tokens. */
  reserveTokens: number;
}

/** What an admitted request holds: released when it ends, settled when its row is built. */
export interface KeyTicket {
  readonly reservedMicros: number;
  /** The request is over (response delivered or abandoned): it no longer counts as in flight. */
  release(): void;
  /** The real cost (null: unknown, charged nothing) and tokens; once. */
  settle(costMicros: number | null, tokens: number | null): void;
}

const BUSY_RETRY_MS = 1000;

/** The output tokens a request may use at most, as it asks (chat, completions, Responses). */
function maxOutputTokens(json: Record<string, unknown> | null, fallback: number): number {
  for (const k of ["max_completion_tokens", "max_tokens", "max_output_tokens"]) {
    const v = json?.[k];
    if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  }
  return fallback;
}

/** Before the plan: the address the request came from and the model it names. */
export function checkKey(e: KeyEntry, ctx: RequestContext): HttpError | null {
  if (e.ips && !e.ips(ctx.clientIp)) return new HttpError(403, "ip_not_allowed", `key ${e.name} may not be used from ${ctx.clientIp ?? "this address"}`);
  if (e.models && ctx.model !== null && !e.models(ctx.model)) {
    return new HttpError(403, "model_not_allowed", `key ${e.name} may not use model ${JSON.stringify(ctx.model)}; allowed: ${e.record.models!.join(", ")}`);
  }
  return null;
}

/** May the key's requests use this upstream (its groups)? null: every upstream. */
export function groupFilter(e: KeyEntry): ((u: PoolUpstream) => boolean) | null {
  const groups = e.groups;
  return groups && ((u) => u.groups.some((g) => groups.has(g)));
}

/** `held`: what requests in flight hold (default this node's; the database's with a shared budget). */
function budgetRefusal(e: KeyEntry, registry: KeyRegistry, reserve: number, held?: number): HttpError {
  const s = registry.standing(e.id)!;
  if (held !== undefined) s.reservedMicros = held;
  const budget = e.record.budgetMicros!;
  const when = s.windowEnd === null ? "it does not reset (a total budget): ask for a larger one" : `it resets at ${new Date(s.windowEnd).toISOString()}`;
  const inFlight = s.reservedMicros > 0 ? ` ($${microsToUsd(s.reservedMicros)} held by requests in flight)` : "";
  const headers = s.windowEnd === null ? undefined : retryAfterHeader(s.windowEnd - Date.now());
  return new HttpError(
    429,
    "insufficient_quota",
    `key ${e.name} has spent $${microsToUsd(s.spentMicros)} of its $${microsToUsd(budget)} ${e.record.budgetWindow === "total" ? "" : `${e.record.budgetWindow} `}budget${inFlight}; this request may cost up to $${microsToUsd(reserve)}; ${when}`,
    headers,
  );
}

/** 503 when the shared budget database cannot be asked: the request is refused, not let through unaccounted. */
// The driver's text (hosts, users) is for routed's log (shared-budget.ts), not for the client.
const budgetUnavailable = (e: KeyEntry) =>
  new HttpError(503, "budget_unavailable", `key ${e.name} has a budget and the database that keeps it cannot be asked; retry in a moment`, retryAfterHeader(BUSY_RETRY_MS));

/** Client keys' limits shared by several nodes (daemon/redis): decided there for the keys it covers. */
export interface SharedKeyGate {
  covers(e: KeyEntry): boolean;
  /** In-flight cap and rpm/rpd/tpm; on success, the hooks the ticket calls when the request ends. */
  admit(e: KeyEntry, promptTokens: number): KeyGateResult | Promise<KeyGateResult>;
}
export type KeyGateResult = HttpError | RemoteHooks;
type RemoteHooks = { correct(tokens: number): void; release(): void };

/** What several nodes decide together: budgets in the shared database, limits in Redis. */
export interface SharedAdmission {
  budget: SharedBudget | null;
  keys: SharedKeyGate | null;
}

/**
 * After the plan: in-flight cap, rate limits and budget. On success the ticket is on ctx. With a
 * shared budget (several nodes on one database) a budgeted key's hold is taken by the database, and
 * with Redis a key with limits is counted there, so the answer is a promise; every other key is
 * decided here, synchronously, as on a single node.
 */
export function admitKey(e: KeyEntry, ctx: RequestContext, upstreams: readonly PoolUpstream[], registry: KeyRegistry, estimator: Estimator | null, settings: AdmissionSettings, shared: SharedAdmission | null = null): HttpError | null | Promise<HttpError | null> {
  const m = registry.roll(e);
  const r = e.record;
  const remote = shared?.keys?.covers(e) === true;
  if (!remote && r.maxInflight !== null && m.inflight >= r.maxInflight) {
    return new HttpError(429, "rate_limit_exceeded", `key ${e.name} has ${m.inflight} requests in flight, its max_inflight`, retryAfterHeader(BUSY_RETRY_MS));
  }
  const limit = remote ? null : m.limits?.check();
  if (limit && !limit.ok) return limitRefusal(e, limit);
  // A rough prompt size (~4 bytes a token, JSON included: more than the real count) plus the most
  // output the request allows; no tokenizer on the response path.
  const promptTokens = estimateTokens(ctx);
  const completionTokens = maxOutputTokens(ctx.json, settings.reserveTokens);
  let reserve = 0;
  const budget = shared?.budget ?? null;
  if (r.budgetMicros !== null) {
    const est = estimator?.estimate({ model: ctx.upstreamModel ?? ctx.model, upstreams, promptTokens, completionTokens }) ?? null;
    if (est === null && settings.unknownPrice === "refuse") {
      return new HttpError(403, "price_unknown", `key ${e.name} has a budget and model ${JSON.stringify(ctx.model)} has no known price; set one under prices: in upstreams.yaml`);
    }
    reserve = est?.micros ?? 0;
    // Spent in full refuses even a request that reserves nothing (a model with no known price).
    if (!budget && (m.spent >= r.budgetMicros || m.spent + m.reserved + reserve > r.budgetMicros)) return budgetRefusal(e, registry, reserve);
  }
  const sharedBudget = r.budgetMicros !== null ? budget : null;
  if (!sharedBudget && !remote) {
    m.inflight++;
    issueTicket(e, ctx, registry, reserve, promptTokens, null, null);
    return null;
  }
  return admitShared(e, ctx, registry, sharedBudget, remote ? shared!.keys : null, reserve, promptTokens);
}

const limitRefusal = (e: KeyEntry, limit: { which: string; retryAfterMs: number }) =>
  new HttpError(429, "rate_limit_exceeded", `key ${e.name} is at its ${limit.which} limit`, retryAfterHeader(limit.retryAfterMs));

/**
 * The shared database holds the budget, then Redis counts the limits (either may be absent); the
 * in-flight slot and the local reservation are held meanwhile, so this node's own view stays exact
 * for the requests deciding at the same time.
 */
async function admitShared(e: KeyEntry, ctx: RequestContext, registry: KeyRegistry, budget: SharedBudget | null, keys: SharedKeyGate | null, reserve: number, promptTokens: number): Promise<HttpError | null> {
  const m = e.money;
  const windowStart = m.window.start;
  m.inflight++;
  let release = () => {};
  if (budget) {
    const budgetMicros = e.record.budgetMicros!;
    let held: Reservation;
    try {
      held = await budget.reserve({ keyId: e.id, windowStart, budgetMicros, micros: reserve });
    } catch (err) {
      m.inflight--;
      return budgetUnavailable(e);
    }
    m.spent = held.spentMicros; // the database's figure: what every node has settled in this window
    release = () => budget.settle({ keyId: e.id, windowStart, heldMicros: held.ok ? reserve : 0, costMicros: null });
    // Spent in full refuses even a request that reserves nothing (a model with no known price).
    if (!held.ok || held.spentMicros >= budgetMicros) {
      release();
      m.inflight--;
      return budgetRefusal(e, registry, reserve, held.heldMicros);
    }
  }
  let hooks: RemoteHooks | null = null;
  if (keys) {
    m.reserved += reserve; // seen by this node's concurrent requests while Redis decides
    let g = keys.admit(e, promptTokens);
    if (g instanceof Promise) g = await g;
    m.reserved -= reserve;
    if (g instanceof HttpError) {
      release();
      m.inflight--;
      return g;
    }
    hooks = g;
  } else {
    const limit = m.limits?.check(); // rechecked: other requests of the key may have passed meanwhile
    if (limit && !limit.ok) {
      release();
      m.inflight--;
      return limitRefusal(e, limit);
    }
  }
  issueTicket(e, ctx, registry, reserve, promptTokens, budget, hooks, windowStart);
  return null;
}

/** Counts the admitted request (in flight already) and puts its ticket on ctx. */
function issueTicket(e: KeyEntry, ctx: RequestContext, registry: KeyRegistry, reserve: number, promptTokens: number, budget: SharedBudget | null, remote: RemoteHooks | null, windowStart = e.money.window.start): void {
  const m = e.money;
  m.reserved += reserve;
  const correct = m.limits?.admit(promptTokens) ?? null;
  let released = false;
  let settled = false;
  ctx.keyTicket = {
    reservedMicros: reserve,
    release() {
      if (released) return;
      released = true;
      m.inflight--;
      remote?.release();
    },
    settle(cost, tokens) {
      if (settled) return;
      settled = true;
      m.reserved -= reserve;
      registry.roll(e); // a request that ends in a new window is charged to it
      if (cost !== null) m.spent += cost;
      // Shared: the hold is released in the window it was taken in, and the cost charged there.
      budget?.settle({ keyId: e.id, windowStart, heldMicros: reserve, costMicros: cost });
      if (tokens !== null) {
        // null: the real usage is unknown, so the TPM estimate taken at admission stands.
        correct?.(tokens);
        remote?.correct(tokens);
      }
    },
  };
}
