// The upstream list (failover order), read on every (re)connection and after each change made
// here. Changes made elsewhere (routectl, the admin API, a reload, SIGHUP) show up in the next
// stats.tick as a different set, order or state of upstreams: that tick, not a polling timer, is
// what makes this hook read the list again.
import { useEffect } from "react";
import type { StatsView, UpstreamView } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";
import { useList } from "./use-list.ts";

/** Whether a tick shows upstreams other than the list's (added, removed, renamed, moved, toggled). */
export function listDiffers(list: UpstreamView[], stats: StatsView): boolean {
  if (list.length !== stats.upstreams.length) return true;
  return stats.upstreams.some((s, i) => {
    const u = list[i]!;
    return u.id !== s.id || u.label !== s.label || u.enabled !== (s.state !== "disabled");
  });
}

export function useUpstreams(client: DaemonClient, generation: number, stats: StatsView | null) {
  const { list: upstreams, setList: setUpstreams, refresh, error } = useList(client, generation, async (c) => (await c.call("upstreams.list", {})).upstreams);

  useEffect(() => {
    if (stats && upstreams && listDiffers(upstreams, stats)) void refresh();
  }, [stats]);

  return { upstreams, setUpstreams, refresh, error };
}
