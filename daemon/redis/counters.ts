// Shared RPM/RPD/TPM (and client keys' max_inflight) counters in Redis, one scope per upstream or
// client key. Every decision is the Redis script's (scripts.ts); this is its typed front, plus the
// tz offset the script needs for the local day.
import type Redis from "ioredis";
import type { dayClock } from "../routing/limits.ts";
import { defineRouteCommands, type RouteCommands } from "./scripts.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The limits of one scope; null or negative: unlimited. */
export interface ScopeLimits {
  rpm: number | null;
  rpd: number | null;
  tpm: number | null;
  /** Client keys only (an upstream's max_inflight stays per node). */
  maxInflight?: number | null;
}

export type Scope = { kind: "u" | "k"; id: number };

export type SharedVerdict = { ok: true; minute: number } | { ok: false; which: string; retryAfterMs: number };

const lim = (n: number | null | undefined) => (n === null || n === undefined || n < 0 ? -1 : n);

/** Does the scope have a limit Redis must decide? (Else nothing is asked.) */
export const isShared = (l: ScopeLimits) => lim(l.rpm) >= 0 || lim(l.rpd) >= 0 || lim(l.tpm) >= 0 || lim(l.maxInflight) >= 0;

/** The zone's offset from UTC at `t`, from the next midnight dayClock computes (≡ mod a day). */
export function tzOffsetMs(clock: ReturnType<typeof dayClock>, t: number): number {
  return (((-clock.nextMidnight(t)) % DAY) + DAY) % DAY;
}

export interface CountersOptions {
  prefix: string;
  nodeId: string;
  /** The clock of the configured time zone (config reloads replace it: a getter). */
  clock: () => ReturnType<typeof dayClock>;
  now?: () => number;
}

export function createCounters(redis: Redis, o: CountersOptions) {
  const r: Redis & RouteCommands = defineRouteCommands(redis);
  const now = o.now ?? Date.now;
  const base = (s: Scope) => `${o.prefix}lim:{${s.kind}:${s.id}}`;
  // Intl is slow: the offset is recomputed hourly (a DST change never falls on midnight), and on a new zone.
  let offset = { clock: null as ReturnType<typeof dayClock> | null, value: 0, until: 0 };
  function offsetNow(): number {
    const clock = o.clock();
    const t = now();
    if (clock !== offset.clock || t >= offset.until) offset = { clock, value: tzOffsetMs(clock, t), until: t + HOUR };
    return offset.value;
  }

  return {
    /** Checks every limit of the scope and, only if all pass, counts the request (and `estimate` tokens). */
    async admit(s: Scope, l: ScopeLimits, estimate: number): Promise<SharedVerdict> {
      const v = await r.routeAdmit(base(s), lim(l.rpm), lim(l.rpd), lim(l.tpm), lim(l.maxInflight), Math.max(0, Math.round(estimate)), offsetNow(), o.nodeId);
      if (v[0] === 1) return { ok: true, minute: v[1] };
      return { ok: false, which: v[1], retryAfterMs: v[2] < 0 ? Infinity : v[2] };
    },
    /** Corrects the tokens counted in `minute` by `delta` (the real usage minus the estimate). */
    correct: (s: Scope, minute: number, delta: number): Promise<number> => r.routeCorrect(`${base(s)}:t:${minute}`, Math.round(delta)),
    /** A client key's request admitted here ended. */
    release: (s: Scope): Promise<number> => r.routeRelease(`${base(s)}:f`, o.nodeId),
    /** In flight across the nodes (for status and tests). */
    async inflight(s: Scope): Promise<number> {
      const vals = await r.hvals(`${base(s)}:f`);
      return vals.reduce((n, v) => n + Number(v), 0);
    },
    /** Forgets the in-flight requests that nodes no longer alive left behind in these scopes. */
    sweep(scopes: readonly Scope[], liveIds: readonly string[]): Promise<number> {
      if (scopes.length === 0) return Promise.resolve(0);
      return r.routeSweep(scopes.length, ...scopes.map((s) => `${base(s)}:f`), ...liveIds);
    },
  };
}

export type Counters = ReturnType<typeof createCounters>;
