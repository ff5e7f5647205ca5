// The in-memory tail of the Logs screen: the latest `cap` request summaries, oldest first. Live
// entries are appended as they arrive; a backfill (logs.query after connecting or changing the
// filter) is merged in by id, so a reconnection neither duplicates nor loses what both saw.
// Memory stays bounded whatever the request rate: past `cap`, the oldest entries are dropped.
import type { LogSummaryView } from "../shared/rpc/contract.ts";

export const DEFAULT_TAIL_CAP = 2000;

export function createLogTail(cap = DEFAULT_TAIL_CAP) {
  let entries: LogSummaryView[] = [];
  let ids = new Set<string>();
  let dropped = 0;
  let received = 0;

  function trim() {
    const over = entries.length - cap;
    if (over <= 0) return;
    for (const e of entries.slice(0, over)) ids.delete(e.id);
    entries = entries.slice(over);
    dropped += over;
  }

  return {
    /** Live entries, in the order routed wrote them. Returns how many were new. */
    add(batch: LogSummaryView[]): number {
      const fresh = batch.filter((e) => !ids.has(e.id));
      received += fresh.length;
      if (fresh.length === 0) return 0;
      for (const e of fresh) ids.add(e.id);
      entries = entries.concat(fresh);
      trim();
      return fresh.length;
    },
    /** Older entries from a query (any order): merged by id, then ordered by time. */
    merge(batch: LogSummaryView[]): number {
      const fresh = batch.filter((e) => !ids.has(e.id));
      if (fresh.length === 0) return 0;
      for (const e of fresh) ids.add(e.id);
      entries = entries.concat(fresh).sort((a, b) => a.ts - b.ts); // stable: live order kept among equals
      trim();
      return fresh.length;
    },
    /** Entries that arrived and were dropped before reaching the tail (a burst over the cap). */
    skipped(n: number): void {
      received += n;
      dropped += n;
    },
    clear(): void {
      entries = [];
      ids = new Set();
      dropped = 0;
      received = 0;
    },
    /** A new array after every change, so React sees it changed. */
    get entries(): readonly LogSummaryView[] {
      return entries;
    },
    get dropped(): number {
      return dropped;
    },
    get received(): number {
      return received;
    },
    cap,
  };
}

export type LogTail = ReturnType<typeof createLogTail>;
