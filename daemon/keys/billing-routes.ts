// What a key holder may read about its own key, with that key: one-api's billing endpoints (the
// shapes NextChat and similar clients read) and Route's own /v1/usage. Answered by Route, never
// proxied, not logged as requests. A shared `authorization:` key (or --noauth) has no budget and is
// not accounted per caller: unlimited, usage 0. Never shows a secret or a hash.
import { microsToUsd } from "../../shared/money.ts";
import { errorResponse, HttpError, httpErrorResponse } from "../proxy/openai-error.ts";
import type { Store } from "../store/types.ts";
import type { Authenticator } from "./authenticate.ts";
import type { KeyEntry, KeyRegistry } from "./registry.ts";
import { windowClock } from "./window.ts";

export interface BillingDeps {
  /** null: --noauth (every caller is treated as a shared key). */
  auth: Authenticator | null;
  registry: KeyRegistry;
  store: Pick<Store, "spendSince">;
  /** May `<key>-<ref>` pin an upstream (the key is then read without the suffix)? */
  pinnable: (ref: string) => boolean;
  timeZone: () => string;
  rejected: (code: string) => void;
}

/** one-api's hard limit for a key without a quota. */
export const UNLIMITED_USD = 100_000_000;
const MICROS_PER_CENT = 10_000;

const SUBSCRIPTION = new Set(["/v1/dashboard/billing/subscription", "/dashboard/billing/subscription"]);
const USAGE = new Set(["/v1/dashboard/billing/usage", "/dashboard/billing/usage"]);
const OWN_USAGE = "/v1/usage";

const usdNumber = (micros: number) => micros / 1_000_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
/** An amount as integer micro-dollars and as exact USD text. */
const money = (name: string, micros: number | null) => ({ [`${name}_micros`]: micros, [`${name}_usd`]: micros === null ? null : microsToUsd(micros) });

/** The instant local midnight of `date` (YYYY-MM-DD) falls at in `timeZone`; null if malformed. */
export function dayStart(date: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(wall).toISOString().slice(0, 10) !== date) return null; // 2026-02-30
  const day = windowClock(timeZone);
  const local = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  // Zone offsets lie within -12 h..+14 h: one of these instants falls on that local date.
  for (const t of [wall, wall + 12 * 3_600_000, wall - 12 * 3_600_000]) {
    const start = day("day", t).start;
    if (local.format(start) === date) return start;
  }
  return null;
}

function subscription(key: KeyEntry | null) {
  const r = key?.record;
  const hard = r?.budgetMicros == null ? UNLIMITED_USD : usdNumber(r.budgetMicros);
  const soft = r?.softBudgetMicros == null ? hard : usdNumber(r.softBudgetMicros);
  return {
    object: "billing_subscription",
    has_payment_method: true,
    soft_limit_usd: soft,
    hard_limit_usd: hard,
    system_hard_limit_usd: hard,
    access_until: r?.expiresAt == null ? 0 : Math.floor(r.expiresAt / 1000),
  };
}

function ownUsage(key: KeyEntry | null, registry: KeyRegistry) {
  const s = key && registry.standing(key.id);
  if (!key || !s) return { key: null, state: "active", budget: null, limits: null, current: null, expires_at: null, models: null, groups: null };
  const r = key.record;
  return {
    key: key.name,
    state: s.state,
    budget: {
      window: r.budgetWindow,
      ...money("limit", r.budgetMicros),
      ...money("soft_limit", r.softBudgetMicros),
      ...money("spent", s.spentMicros),
      ...money("reserved", s.reservedMicros),
      ...money("remaining", s.remainingMicros),
      window_start: s.windowStart === 0 ? null : iso(s.windowStart),
      resets_at: iso(s.windowEnd),
    },
    limits: { rpm: r.rpm, rpd: r.rpd, tpm: r.tpm, max_inflight: r.maxInflight },
    current: { requests_today: s.usage.rpd, requests_this_minute: s.usage.rpm, tokens_this_minute: s.usage.tpm, inflight: s.inflight },
    expires_at: iso(r.expiresAt),
    models: r.models,
    groups: r.groups,
  };
}

export function createBillingRoutes(deps: BillingDeps) {
  /** The caller's client key (null: a shared key); a refusal is the 401 /v1 gives. */
  const callerOf = (req: Request): KeyEntry | null => {
    if (!deps.auth) return null;
    try {
      return deps.auth(req.headers.get("authorization"), false, deps.pinnable).key;
    } catch (e) {
      deps.rejected("invalid_api_key");
      throw e;
    }
  };

  /** Cents spent between start_date and end_date (exclusive), or in the current window without them. */
  async function usage(key: KeyEntry | null, url: URL): Promise<Response> {
    const from = url.searchParams.get("start_date");
    const to = url.searchParams.get("end_date");
    if (from === null && to === null) {
      const spent = key ? (deps.registry.standing(key.id)?.spentMicros ?? 0) : 0;
      return Response.json({ object: "list", total_usage: spent / MICROS_PER_CENT });
    }
    const tz = deps.timeZone();
    const start = from === null ? 0 : dayStart(from, tz);
    const end = to === null ? null : dayStart(to, tz);
    if (start === null || (to !== null && end === null)) throw new HttpError(400, "invalid_date", "start_date and end_date must be dates as YYYY-MM-DD");
    if (end !== null && end < start) throw new HttpError(400, "invalid_date", "end_date is before start_date");
    if (!key) return Response.json({ object: "list", total_usage: 0 });
    const upTo = end === null ? 0 : await deps.store.spendSince(key.id, end);
    const spent = (await deps.store.spendSince(key.id, start)) - upTo;
    return Response.json({ object: "list", total_usage: spent / MICROS_PER_CENT });
  }

  return (req: Request, url: URL): Promise<Response> | Response | null => {
    const path = url.pathname;
    const which = SUBSCRIPTION.has(path) ? "subscription" : USAGE.has(path) ? "usage" : path === OWN_USAGE ? "own" : null;
    if (!which) return null;
    try {
      const key = callerOf(req);
      if (which === "subscription") return Response.json(subscription(key));
      if (which === "own") return Response.json(ownUsage(key, deps.registry));
      return usage(key, url).catch((e) => (e instanceof HttpError ? httpErrorResponse(e) : errorResponse(500, "internal_error", `usage could not be read: ${(e as Error).message}`)));
    } catch (e) {
      return httpErrorResponse(e as HttpError);
    }
  };
}
