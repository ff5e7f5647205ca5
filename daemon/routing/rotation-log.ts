// routed's log lines about upstreams leaving and rejoining rotation. While every upstream is out,
// each request is a forced trial that fails and re-ejects its upstream, and each request planned
// around one finds it out: logged per event, that was 31,194 lines in 5 minutes. Now: a line when
// it leaves, a summary a minute while it stays out, a line when it is back.
import type { Logger } from "../log.ts";
import { createEpisodeLog, describeCounts } from "../log-summary.ts";
import type { HealthSnapshot } from "./health.ts";

const WORDS = { skipped: "requests found it out of rotation", trial: "trial requests failed" };
const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

export function createRotationLog(log: Logger, now: () => number, everyMs?: number) {
  const episodes = createEpisodeLog({
    now,
    everyMs,
    onSummary(label, counts, windowMs, e) {
      log.warn(`upstream ${label} still out of rotation; ${describeCounts(counts, WORDS)} in the last ${Math.round(windowMs / 1000)} s`, { upstream: label, since: iso(e.since) });
    },
  });
  return {
    /** The breaker ejected it: logged the first time, counted while it stays out (a failed trial). */
    ejected(label: string, snap: HealthSnapshot): void {
      if (!episodes.begin(label)) return episodes.count(label, "trial");
      log.warn("upstream out of rotation", { upstream: label, state: snap.state, reason: snap.reason, until: snap.until });
    },
    restored(label: string): void {
      const e = episodes.end(label);
      log.info("upstream back in rotation", { upstream: label, out_for_s: e ? Math.round((now() - e.since) / 1000) : undefined });
    },
    /** A request was planned without it (cooling or misconfigured). */
    skipped: (label: string) => episodes.count(label, "skipped"),
    /** After a pool rebuild: only upstreams still present and still out keep their episode. */
    retain: (out: ReadonlySet<string>) => episodes.retain((label) => out.has(label)),
  };
}
