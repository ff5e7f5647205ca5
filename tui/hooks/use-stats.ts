// Live stats from stats.subscribe (one tick a second from routed), plus the history the Stats
// screen draws sparklines from. A snapshot is read on every (re)connection so the screens are
// not empty for the second before the first tick.
import { useRef, useState } from "react";
import type { StatsView } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";
import { createStatsHistory, type StatsHistory } from "../stats-history.ts";
import { useSubscription } from "./use-subscription.ts";

export function useStats(client: DaemonClient, generation: number): { stats: StatsView | null; history: StatsHistory } {
  const history = useRef<StatsHistory>(null as never);
  history.current ??= createStatsHistory();
  const [stats, setStats] = useState<StatsView | null>(null);
  const latest = useRef(0);
  const take = (s: StatsView) => {
    if (s.ts < latest.current) return; // a snapshot answered after a newer tick
    latest.current = s.ts;
    history.current.add(s);
    setStats(s);
  };
  useSubscription(client, generation, "stats.subscribe", {}, "stats", (e) => take(e.stats), () => {
    client.call("stats.snapshot", {}).then(take, () => {});
  });
  return { stats, history: history.current };
}
