// What a node decides alone while Redis cannot be reached (`redis_outage` in the config file):
//   share  (default) each node enforces its share of every shared limit, ⌊limit ÷ live nodes⌋
//          (at least 1, unless the limit is 0), against its own local counters;
//   open   no shared limit is enforced (rpm, rpd, tpm, client keys' max_inflight); requests are
//          still counted locally, and an upstream's own max_inflight (per node) still holds;
//   closed every request that needs a shared limit is refused with 503.
// Requests whose upstream and key have no shared limit never need Redis and are never affected.
import { MINUTE } from "../routing/minute-log.ts";
import type { ScopeLimits } from "./counters.ts";

export const OUTAGE_MODES = ["share", "open", "closed"] as const;
export type OutageMode = (typeof OUTAGE_MODES)[number];

/** This node's local counts of the scope (its own admissions only). */
export interface LocalUse {
  rpm: number;
  rpd: number;
  tpm: number;
  inflight?: number;
}

export type OutageVerdict = { ok: true } | { ok: false; which: string; retryAfterMs: number; closed: boolean };

const OK: OutageVerdict = { ok: true };

/** One node's share of a limit: null when unlimited. */
export function shareOf(limit: number | null | undefined, nodes: number): number | null {
  if (limit === null || limit === undefined || limit < 0) return null;
  if (limit === 0) return 0;
  return Math.max(1, Math.floor(limit / Math.max(1, nodes)));
}

/**
 * The verdict without Redis. `now` and `toMidnight` give the retry times: the local minute is
 * sliding, so the next clock minute is an estimate (a client retrying then is refused again at worst).
 */
export function outageVerdict(mode: OutageMode, l: ScopeLimits, use: LocalUse, nodes: number, now: number, toMidnight: number): OutageVerdict {
  if (mode === "open") return OK;
  if (mode === "closed") return { ok: false, which: "shared limits", retryAfterMs: 1000, closed: true };
  const over = (limit: number | null | undefined, used: number) => {
    const s = shareOf(limit, nodes);
    return s !== null && used >= s ? s : null;
  };
  const never = (s: number, ms: number) => (s === 0 ? Infinity : ms);
  const toMinute = MINUTE - (now % MINUTE);
  let s: number | null;
  if ((s = over(l.maxInflight, use.inflight ?? 0)) !== null) return { ok: false, which: "max_inflight", retryAfterMs: never(s, 1000), closed: false };
  if ((s = over(l.rpd, use.rpd)) !== null) return { ok: false, which: "rpd", retryAfterMs: never(s, toMidnight), closed: false };
  if ((s = over(l.rpm, use.rpm)) !== null) return { ok: false, which: "rpm", retryAfterMs: never(s, toMinute), closed: false };
  if ((s = over(l.tpm, use.tpm)) !== null) return { ok: false, which: "tpm", retryAfterMs: never(s, toMinute), closed: false };
  return OK;
}
