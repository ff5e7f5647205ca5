// The daemon's passive health: one breaker (health.ts) per upstream, kept across pool rebuilds,
// fed with the verdict of every attempt and of active checks, read by the guard (candidates), the
// control socket, /v1/status and metrics. An operator's edit of an upstream starts it afresh.
import type { UpstreamRecord } from "../store/types.ts";
import { DEFAULT_HEALTH, type AttemptVerdict, type HealthPolicy, type HealthSnapshot, UpstreamHealth } from "./health.ts";

export interface HealthUpstream {
  readonly id: number;
  readonly label: string;
}

export type Transition = "ejected" | "restored";

/**
 * 401/403 answers in a row (no success between) that mark an upstream misconfigured. One is not
 * enough: one error never takes an upstream out (providers do answer a stray 401 under load); the
 * first counts as an ordinary failure.
 */
export const AUTH_CONFIRMATIONS = 2;

export interface HealthBookOptions {
  now?: () => number;
  policy?: HealthPolicy;
  /** An upstream left rotation or came back (alerts, logs). */
  onTransition?: (label: string, t: Transition, snap: HealthSnapshot) => void;
}

/** What an attempt's outcome says about the upstream (pipeline outcomes, HTTP statuses). */
export function verdictOf(outcome: string, status?: number): AttemptVerdict {
  switch (outcome) {
    case "ok":
      return "ok";
    case "http_4xx":
      return status === 401 || status === 403 ? "auth_failed" : "neutral"; // the client's own mistake
    case "http_429":
      return "rate_limited";
    case "client_closed":
    case "shutting_down": // Route's own drain deadline ended it
      return "neutral";
    default:
      return "failure"; // http_5xx, connect_error, timeout, reset, stream_error, bad_reply
  }
}

/** A stored record's fields an operator edits (all but its place and timestamps): a change resets health. */
export function fingerprint(u: UpstreamRecord): string {
  const { position: _p, updatedAt: _u, createdAt: _c, ...rest } = u;
  return JSON.stringify(rest);
}

export function createHealthBook(opts: HealthBookOptions = {}) {
  const now = opts.now ?? Date.now;
  let policy = opts.policy ?? DEFAULT_HEALTH;
  const book = new Map<number, { health: UpstreamHealth; print: string; label: string; authStreak: number }>();
  let shared: ((id: number, t: Transition, snap: HealthSnapshot) => void) | null = null;
  const transition = (id: number, label: string, t: Transition, snap: HealthSnapshot) => {
    opts.onTransition?.(label, t, snap);
    shared?.(id, t, snap);
  };

  function entry(id: number) {
    return book.get(id);
  }

  return {
    get policy() {
      return policy;
    },
    /** After every pool rebuild: breakers for new upstreams, a fresh one for an edited upstream. */
    sync(upstreams: readonly HealthUpstream[], prints: readonly string[]): void {
      const live = new Set<number>();
      upstreams.forEach((u, i) => {
        live.add(u.id);
        const e = book.get(u.id);
        if (!e || e.print !== prints[i]) book.set(u.id, { health: new UpstreamHealth(policy, now), print: prints[i]!, label: u.label, authStreak: 0 });
        else e.label = u.label;
      });
      for (const id of book.keys()) if (!live.has(id)) book.delete(id);
    },
    /** New thresholds (config reload) apply to new breakers; existing ones keep their state. */
    configure(next: HealthPolicy): void {
      if (JSON.stringify(next) === JSON.stringify(policy)) return;
      policy = next;
      for (const e of book.values()) e.health = new UpstreamHealth(policy, now);
    },

    /** Without claiming anything: may it be tried now? If not, when (ms from now; Infinity: misconfigured). */
    waitMs(id: number): number {
      const h = entry(id)?.health;
      if (!h || h.available()) return 0;
      return Math.max(1, h.readyAt - now());
    },
    /** Right before an attempt: claims the half-open trial when one is due. */
    admit(id: number, forced: boolean): boolean {
      const h = entry(id)?.health;
      if (!h || h.admit()) return true;
      if (!forced) return false;
      h.forceTrial(); // a cooling upstream tried anyway decides like a trial; a misconfigured one does not change
      return true;
    },
    /** `confirmed`: a deliberate check (routectl test): one refused key is enough. */
    report(id: number, verdict: AttemptVerdict, detail: { retryAfterMs?: number; reason?: string; confirmed?: boolean } = {}): void {
      const e = entry(id);
      if (!e) return;
      if (verdict === "auth_failed" && ++e.authStreak < AUTH_CONFIRMATIONS && !detail.confirmed) verdict = "failure";
      else if (verdict === "ok") e.authStreak = 0;
      const t = e.health.record(verdict, detail);
      if (t) transition(id, e.label, t, e.health.snapshot());
    },
    /** `upstreams.test`: the operator checked it; start afresh (the test's own verdict follows). */
    reset(id: number): void {
      const e = entry(id);
      if (!e) return;
      const was = e.health.snapshot().state;
      e.health.reset();
      e.authStreak = 0;
      if (was !== "healthy") transition(id, e.label, "restored", e.health.snapshot());
    },
    /** Shared health (daemon/redis): told of this node's own transitions, to tell the others. */
    share(fn: (id: number, t: Transition, snap: HealthSnapshot) => void): void {
      shared = fn;
    },
    /** Another node's verdict: applied without alerts and without telling anyone (no echo). */
    adopt(id: number, state: "cooling" | "misconfigured" | "healthy", until: number, reason: string | null): void {
      entry(id)?.health.adopt(state, until, reason);
    },
    snapshot(id: number): HealthSnapshot {
      return entry(id)?.health.snapshot() ?? { state: "healthy", until: null, ejections: 0, reason: null };
    },
  };
}

export type HealthBook = ReturnType<typeof createHealthBook>;
