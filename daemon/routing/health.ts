// Passive health per upstream, as a pure state machine with an injected clock. One error never
// ejects: an upstream leaves rotation when failures pass a threshold over a sliding window of recent
// attempts, for a cooldown that doubles with each consecutive ejection; after the cooldown a single
// trial request (half-open) decides. A 429 with Retry-After cools the upstream until then; 401/403
// means its key is wrong: it stays out ("misconfigured") until it is edited or tested.

export type HealthState = "healthy" | "cooling" | "half_open" | "misconfigured";

export interface HealthPolicy {
  window: number; // attempts remembered
  minFailures: number; // at least this many failures in the window …
  failureRatio: number; // … and at least this share of it
  baseCooldownMs: number;
  maxCooldownMs: number;
}

export const DEFAULT_HEALTH: HealthPolicy = { window: 20, minFailures: 5, failureRatio: 0.5, baseCooldownMs: 10_000, maxCooldownMs: 300_000 };

export type AttemptVerdict = "ok" | "failure" | "rate_limited" | "auth_failed" | "neutral";

export interface HealthSnapshot {
  state: HealthState;
  until: number | null; // when a cooldown ends
  ejections: number;
  reason: string | null;
}

export class UpstreamHealth {
  private outcomes: boolean[] = []; // true = failure
  private state: HealthState = "healthy";
  private until = 0;
  private ejections = 0;
  private trialInFlight = false;
  private trialAt = 0;
  private reason: string | null = null;

  constructor(
    private readonly policy: HealthPolicy,
    private readonly now: () => number,
  ) {}

  /** May a request use this upstream now? Claims the single half-open trial when it is due. */
  admit(): boolean {
    const t = this.now();
    if (this.state === "healthy") return true;
    if (this.state === "misconfigured") return false;
    if (this.state === "cooling" && t >= this.until) this.state = "half_open";
    if (this.state === "half_open" && !this.trialBusy(t)) {
      this.trialInFlight = true;
      this.trialAt = t;
      return true;
    }
    return false;
  }

  /** A trial whose verdict never came (a bug, a lost promise) must not keep the upstream out forever. */
  private trialBusy(t: number): boolean {
    return this.trialInFlight && t - this.trialAt < this.policy.maxCooldownMs;
  }

  /** Would admit() succeed, without claiming anything (for listing candidates and status). */
  available(): boolean {
    if (this.state === "healthy") return true;
    if (this.state === "misconfigured") return false;
    const t = this.now();
    return t >= this.until && !this.trialBusy(t);
  }

  /**
   * Every candidate is cooling and this one is tried anyway (it cools down first): the attempt
   * decides like a half-open trial, so an outage ends at the first success, not at a timer.
   */
  forceTrial(): void {
    if (this.state !== "cooling" && this.state !== "half_open") return;
    this.trialInFlight = true;
    this.trialAt = this.now();
  }

  /** Feeds one attempt's result. Returns the transition, if any, for alerts. */
  record(verdict: AttemptVerdict, detail: { retryAfterMs?: number; reason?: string } = {}): "ejected" | "restored" | null {
    if (verdict === "neutral") {
      // A client error or a client that left proves nothing either way: free the trial for the next request.
      this.trialInFlight = false;
      return null;
    }
    const t = this.now();
    const wasOut = this.state !== "healthy";
    if (verdict === "auth_failed") {
      this.state = "misconfigured";
      this.reason = detail.reason ?? "upstream rejected its key (401/403)";
      this.trialInFlight = false;
      return wasOut ? null : "ejected";
    }
    if (verdict === "rate_limited" && detail.retryAfterMs && detail.retryAfterMs > 0) {
      this.state = "cooling";
      this.until = Math.max(this.until, t + detail.retryAfterMs);
      this.reason = detail.reason ?? "rate limited by the upstream";
      this.trialInFlight = false;
      return wasOut ? null : "ejected";
    }
    const failed = verdict !== "ok";
    if (this.trialInFlight || this.state === "half_open") {
      this.trialInFlight = false;
      if (!failed) return this.restore();
      return this.eject(t, detail.reason ?? "trial request failed");
    }
    this.outcomes.push(failed);
    if (this.outcomes.length > this.policy.window) this.outcomes.shift();
    if (this.state !== "healthy") return null;
    const failures = this.outcomes.reduce((n, f) => n + (f ? 1 : 0), 0);
    if (failed && failures >= this.policy.minFailures && failures / this.outcomes.length >= this.policy.failureRatio) {
      return this.eject(t, detail.reason ?? `${failures} of the last ${this.outcomes.length} attempts failed`);
    }
    if (!failed && this.ejections > 0 && failures === 0 && this.outcomes.length >= this.policy.window) this.ejections = 0; // a full clean window forgives past ejections
    return null;
  }

  /** Another node's verdict (shared health): out until `until` (or misconfigured), or back in rotation. */
  adopt(state: "cooling" | "misconfigured" | "healthy", until: number, reason: string | null): void {
    this.trialInFlight = false;
    this.outcomes = [];
    this.state = state;
    this.until = until;
    this.reason = state === "healthy" ? null : reason;
  }

  /** An operator edited or tested the upstream: start afresh. */
  reset(): void {
    this.state = "healthy";
    this.outcomes = [];
    this.ejections = 0;
    this.trialInFlight = false;
    this.reason = null;
  }

  snapshot(): HealthSnapshot {
    const s = this.state === "cooling" && this.now() >= this.until ? "half_open" : this.state;
    return { state: s, until: s === "cooling" ? this.until : null, ejections: this.ejections, reason: s === "healthy" ? null : this.reason };
  }

  /** When this upstream may next be tried (for "all cooling down" decisions). */
  get readyAt(): number {
    return this.state === "healthy" ? 0 : this.state === "misconfigured" ? Infinity : this.until;
  }

  private eject(t: number, reason: string): "ejected" {
    this.ejections++;
    const cooldown = Math.min(this.policy.maxCooldownMs, this.policy.baseCooldownMs * 2 ** (this.ejections - 1));
    this.state = "cooling";
    this.until = t + cooldown;
    this.reason = reason;
    this.outcomes = [];
    return "ejected";
  }

  private restore(): "restored" {
    this.state = "healthy";
    this.reason = null;
    this.outcomes = [];
    return "restored";
  }
}
