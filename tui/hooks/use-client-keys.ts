// The client keys (keys.list), with their standing. Spend and requests change with every request,
// so while `live` (the Keys screen is shown) the list is read again on each stats tick (one a
// second from routed), one read at a time; otherwise on (re)connection and when asked (the
// Logs screen asks when shown, for its key filter).
import { useEffect } from "react";
import type { StatsView } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";
import { useList } from "./use-list.ts";

export function useClientKeys(client: DaemonClient, generation: number, stats: StatsView | null, live: boolean) {
  const { list: keys, setList: setKeys, refresh, error } = useList(client, generation, async (c) => (await c.call("keys.list", {})).keys);
  useEffect(() => {
    if (live && generation > 0) void refresh();
  }, [stats, live]);
  return { keys, setKeys, refresh, error };
}
