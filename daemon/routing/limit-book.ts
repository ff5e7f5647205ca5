// The daemon's RPM / RPD / TPM counters, one UpstreamLimits per upstream (limits.ts), kept across
// pool rebuilds and restarts: dirty counters are flushed to the store every few seconds and on
// stop, and restored on start. Every upstream is counted (so /v1/status shows usage for all), but
// only those with a limit are ever refused.
import type { Store } from "../store/types.ts";
import { dayClock, type LimitSnapshot, type LimitSpec, type LimitVerdict, UpstreamLimits } from "./limits.ts";

export interface LimitedUpstream {
  readonly id: number;
  readonly label: string;
  readonly rpm: number | null;
  readonly rpd: number | null;
  readonly tpm: number | null;
}

const OK: LimitVerdict = { ok: true };
const specOf = (u: LimitedUpstream): LimitSpec => ({ rpm: u.rpm ?? undefined, rpd: u.rpd ?? undefined, tpm: u.tpm ?? undefined });
const hasLimit = (s: LimitSpec) => (s.rpm ?? -1) >= 0 || (s.rpd ?? -1) >= 0 || (s.tpm ?? -1) >= 0;

export interface LimitBookOptions {
  now?: () => number;
  timeZone?: string;
  /** An upstream just used its last request of the day (for the upstream_daily_limit alert). */
  onDailyLimit?: (label: string, rpd: number) => void;
}

export function createLimitBook(opts: LimitBookOptions = {}) {
  const now = opts.now ?? Date.now;
  let clock = dayClock(opts.timeZone ?? "UTC");
  const book = new Map<number, { limits: UpstreamLimits; limited: boolean }>();
  const removed = new Set<number>();

  function entry(id: number) {
    let e = book.get(id);
    if (!e) book.set(id, (e = { limits: new UpstreamLimits({}, now, clock), limited: false }));
    return e;
  }

  return {
    /** After every pool rebuild: new specs, counters of removed upstreams dropped (and deleted on flush). */
    sync(upstreams: readonly LimitedUpstream[]): void {
      const live = new Set<number>();
      for (const u of upstreams) {
        const e = entry(u.id);
        e.limits.spec = specOf(u);
        e.limited = hasLimit(e.limits.spec);
        live.add(u.id);
      }
      for (const id of book.keys()) {
        if (live.has(id)) continue;
        book.delete(id);
        removed.add(id);
      }
    },
    setTimeZone(timeZone: string): void {
      clock = dayClock(timeZone);
      for (const e of book.values()) e.limits.setClock(clock);
    },

    /** May this upstream take one more request now? Unlimited upstreams cost one map lookup. */
    check(id: number): LimitVerdict {
      const e = book.get(id);
      return e?.limited ? e.limits.check() : OK;
    },
    /** Counts one request sent to the upstream; the handle corrects its tokens once known. */
    admit(u: LimitedUpstream, estimatedTokens: number): (tokens: number) => void {
      const l = entry(u.id).limits;
      const correct = l.admit(estimatedTokens);
      if (u.rpd !== null && u.rpd > 0 && l.usage().rpd === u.rpd) opts.onDailyLimit?.(u.label, u.rpd);
      return correct;
    },
    /** Does the upstream have a TPM limit (only then is the prompt estimated at admission)? */
    countsTokens: (id: number) => (book.get(id)?.limits.spec.tpm ?? -1) >= 0,
    usage: (id: number) => book.get(id)?.limits.usage() ?? { rpm: 0, rpd: 0, tpm: 0 },
    remaining: (id: number) => book.get(id)?.limits.remaining() ?? { rpm: null, rpd: null, tpm: null },

    /** Restores persisted counters (before traffic). Unknown ids are ignored. */
    async load(store: Store): Promise<void> {
      for (const { upstreamId, snapshot } of await store.loadLimitCounters()) {
        const e = book.get(upstreamId);
        if (e) e.limits.restore(snapshot as LimitSnapshot);
      }
    },
    /** Writes dirty counters (and forgets removed upstreams' rows) in one transaction. */
    async flush(store: Store): Promise<void> {
      const rows: { upstreamId: number; snapshot: LimitSnapshot }[] = [];
      for (const [id, e] of book) {
        if (!e.limits.dirty) continue;
        e.limits.dirty = false;
        rows.push({ upstreamId: id, snapshot: e.limits.snapshot() });
      }
      const deletes = [...removed];
      removed.clear();
      if (rows.length === 0 && deletes.length === 0) return;
      try {
        await store.saveLimitCounters(rows, deletes);
      } catch (err) {
        for (const r of rows) {
          const e = book.get(r.upstreamId);
          if (e) e.limits.dirty = true;
        }
        for (const id of deletes) removed.add(id);
        throw err;
      }
    },
  };
}

export type LimitBook = ReturnType<typeof createLimitBook>;
