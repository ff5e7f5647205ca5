// What routed's own log says while the request-log store fails: one line when it starts failing,
// one summary a minute while it lasts (failed writes, rows that lost their bodies), one when it
// recovers. A write is retried every few seconds and under load bodies drop per request, so a
// line per event would flood the journal during exactly the outage it reports.
import type { Logger } from "../log.ts";
import { createEpisodeLog, describeCounts } from "../log-summary.ts";
import type { LogStoreState } from "./log-writer.ts";

const KEY = "store";
const WORDS = { write: "failed writes", bodies: "rows queued without their bodies" };

export function createStoreFailureLog(log: Logger, state: () => LogStoreState, now: () => number = Date.now) {
  const episodes = createEpisodeLog({
    now,
    onSummary(_key, counts, windowMs) {
      const s = state();
      log.error(`request log store still failing; ${describeCounts(counts, WORDS)} in the last ${Math.round(windowMs / 1000)} s`, { err: s.lastError, queued_rows: s.queuedRows, queued_bytes: s.queuedBytes });
    },
  });
  return {
    failed(err: unknown): void {
      if (!episodes.begin(KEY)) return episodes.count(KEY, "write");
      const s = state();
      log.error("request log write failed; rows kept for retry", { err, queued_rows: s.queuedRows, queued_bytes: s.queuedBytes });
    },
    bodiesDropped: () => episodes.count(KEY, "bodies"),
    /** The backlog went to disk (once per spool episode: the spool empties before it starts again). */
    spooling(rows: number, bytes: number, file: string): void {
      log.error("request log store still failing; queued rows moved to the spool file", { file, spooled_rows: rows, spooled_bytes: bytes });
    },
    spoolReplayed(rows: number): void {
      log.info("request log spool replayed into the store; spool file removed", { rows });
    },
    recovered(): void {
      const e = episodes.end(KEY);
      if (e) log.info("request log store recovered; queued rows are being written", { failed_for_s: Math.round((now() - e.since) / 1000), queued_rows: state().queuedRows });
    },
  };
}
