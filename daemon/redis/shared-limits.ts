// One decision about one scope (an upstream or a client key): Redis's when the link is up, the
// outage policy's when it is not (or when this command fails). An admission made by Redis carries
// what its end needs: the token correction in the minute it was counted, the in-flight release.
import type { Counters, Scope, ScopeLimits } from "./counters.ts";
import type { Link } from "./link.ts";
import { outageVerdict, type LocalUse, type OutageMode } from "./outage.ts";

export interface Admission {
  ok: true;
  /** The real tokens (replaces the estimate; may be called again with a later figure). */
  correct(tokens: number): void;
  /** The request ended (client keys' in-flight). */
  release(): void;
}
/** `outage`: decided by this node alone (not remembered: Redis may be back for the next request). */
export type Refusal = { ok: false; which: string; retryAfterMs: number; closed: boolean; outage?: boolean };
export type Decision = Admission | Refusal;

export interface SharedLimitsDeps {
  counters: Counters;
  link: Link;
  mode: () => OutageMode;
  liveNodes: () => number;
  /** Milliseconds to the next local midnight (outage rpd refusals). */
  toMidnight: () => number;
  /** A decision was taken without Redis (the metric). */
  onOutageDecision: (mode: OutageMode) => void;
  now?: () => number;
}

const NOTHING: Admission = { ok: true, correct() {}, release() {} };

export function createSharedLimits(deps: SharedLimitsDeps) {
  const { counters, link } = deps;
  const now = deps.now ?? Date.now;
  const quietly = (p: Promise<unknown>) => void p.catch(() => link.failed());

  function alone(l: ScopeLimits, use: () => LocalUse): Decision {
    const mode = deps.mode();
    deps.onOutageDecision(mode);
    const v = outageVerdict(mode, l, use(), deps.liveNodes(), now(), deps.toMidnight());
    return v.ok ? NOTHING : { ...v, outage: true };
  }

  function admitted(s: Scope, l: ScopeLimits, estimate: number, minute: number): Admission {
    let counted = estimate;
    let released = false;
    return {
      ok: true,
      correct(tokens) {
        if ((l.tpm ?? -1) < 0 || tokens === counted) return;
        const delta = tokens - counted;
        counted = tokens;
        quietly(counters.correct(s, minute, delta));
      },
      release() {
        if (released || (l.maxInflight ?? -1) < 0) return;
        released = true;
        quietly(counters.release(s));
      },
    };
  }

  return {
    /** Without Redis the answer is immediate (no promise): the outage policy's. */
    decide(s: Scope, l: ScopeLimits, estimate: number, use: () => LocalUse): Decision | Promise<Decision> {
      if (!link.up) return alone(l, use);
      return counters.admit(s, l, estimate).then(
        (v): Decision => {
          link.ok();
          return v.ok ? admitted(s, l, estimate, v.minute) : { ...v, closed: false };
        },
        () => {
          link.failed();
          return alone(l, use);
        },
      );
    },
  };
}

export type SharedLimits = ReturnType<typeof createSharedLimits>;
