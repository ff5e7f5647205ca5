// The Stats screen's long view: stats.history (the hourly rollup routed keeps in its database) for
// the last 24 h by hour and the last 30 d by day. Read when the screen opens and on each
// (re)connection while it is shown, so it is there at once and across daemon restarts; the live
// minute comes from stats ticks (use-stats.ts).
import { useEffect, useState } from "react";
import type { HistoryView } from "../../shared/rpc/history-contract.ts";
import type { DaemonClient } from "../client.ts";

export interface LongHistory {
  day: HistoryView | null; // last 24 h, by hour
  month: HistoryView | null; // last 30 d, by day
}

export function useHistory(client: DaemonClient, generation: number, active: boolean): LongHistory {
  const [history, setHistory] = useState<LongHistory>({ day: null, month: null });
  useEffect(() => {
    if (!active || generation === 0) return;
    let live = true;
    Promise.all([client.call("stats.history", { since: "24h", bucket: "hour" }), client.call("stats.history", { since: "30d", bucket: "day" })]).then(
      ([day, month]) => live && setHistory({ day, month }),
      () => {}, // an older routed without stats.history: the screen shows the live view alone
    );
    return () => {
      live = false;
    };
  }, [active, generation]);
  return history;
}
