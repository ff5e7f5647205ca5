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
import { retryAfterHeader } from "../routing/router.ts";
import type { KeyEntry, KeyRegistry } from "./registry.ts";

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
  settle(costMicros: number | null, tokens: number): void;
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

function budgetRefusal(e: KeyEntry, registry: KeyRegistry, reserve: number): HttpError {
  const s = registry.standing(e.id)!;
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

/** Client keys' limits shared by several nodes (daemon/redis): decided there for the keys it covers. */
export interface SharedKeyGate {
  covers(e: KeyEntry): boolean;
  /** In-flight cap and rpm/rpd/tpm; on success, the hooks the ticket calls when the request ends. */
  admit(e: KeyEntry, promptTokens: number): KeyGateResult | Promise<KeyGateResult>;
}
export type KeyGateResult = HttpError | { correct(tokens: number): void; release(): void };

/** After the plan: in-flight cap, rate limits and budget. On success the ticket is on ctx. */
export function admitKey(e: KeyEntry, ctx: RequestContext, upstreams: readonly PoolUpstream[], registry: KeyRegistry, estimator: Estimator | null, settings: AdmissionSettings, shared: SharedKeyGate | null = null): HttpError | null | Promise<HttpError | null> {
  const m = registry.roll(e);
  const r = e.record;
  const remote = shared?.covers(e) === true;
  if (!remote && r.maxInflight !== null && m.inflight >= r.maxInflight) {
    return new HttpError(429, "rate_limit_exceeded", `key ${e.name} has ${m.inflight} requests in flight, its max_inflight`, retryAfterHeader(BUSY_RETRY_MS));
  }
  const limit = remote ? null : m.limits?.check();
  if (limit && !limit.ok) return new HttpError(429, "rate_limit_exceeded", `key ${e.name} is at its ${limit.which} limit`, retryAfterHeader(limit.retryAfterMs));
  // A rough prompt size (~4 bytes a token, JSON included: more than the real count) plus the most
  // output the request allows; no tokenizer on the response path.
  const promptTokens = Math.ceil((ctx.body?.length ?? 0) / 4);
  const completionTokens = maxOutputTokens(ctx.json, settings.reserveTokens);
  let reserve = 0;
  if (r.budgetMicros !== null) {
    const est = estimator?.estimate({ model: ctx.upstreamModel ?? ctx.model, upstreams, promptTokens, completionTokens }) ?? null;
    if (est === null && settings.unknownPrice === "refuse") {
      return new HttpError(403, "price_unknown", `key ${e.name} has a budget and model ${JSON.stringify(ctx.model)} has no known price; set one under prices: in upstreams.yaml`);
    }
    reserve = est?.micros ?? 0;
    // Spent in full refuses even a request that reserves nothing (a model with no known price).
    if (m.spent >= r.budgetMicros || m.spent + m.reserved + reserve > r.budgetMicros) return budgetRefusal(e, registry, reserve);
  }
  if (!remote) return issueTicket(e, ctx, registry, reserve, promptTokens, null);
  // The budget is held while the shared limits decide, so concurrent requests see it.
  m.reserved += reserve;
  const decided = (g: KeyGateResult) => {
    m.reserved -= reserve;
    return g instanceof HttpError ? g : issueTicket(e, ctx, registry, reserve, promptTokens, g);
  };
  const g = shared!.admit(e, promptTokens);
  return g instanceof Promise ? g.then(decided) : decided(g);
}

function issueTicket(e: KeyEntry, ctx: RequestContext, registry: KeyRegistry, reserve: number, promptTokens: number, remote: Exclude<KeyGateResult, HttpError> | null): null {
  const m = e.money;
  m.reserved += reserve;
  m.inflight++;
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
      correct?.(tokens);
      remote?.correct(tokens);
    },
  };
  return null;
}
