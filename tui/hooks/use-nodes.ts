// The routed nodes sharing the database (cluster.nodes). In-flight counts and beats change all the
// time, so while `live` (the Nodes screen is shown) the list is read again on each stats tick, one
// read at a time; otherwise only on (re)connection.
import { useEffect, useState } from "react";
import type { StatsView } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";
import { useList } from "./use-list.ts";

export function useNodes(client: DaemonClient, generation: number, stats: StatsView | null, live: boolean) {
  const [clustered, setClustered] = useState(false);
  const { list: nodes, refresh, error } = useList(client, generation, async (c) => {
    const r = await c.call("cluster.nodes", {});
    setClustered(r.clustered);
    return r.nodes;
  });
  useEffect(() => {
    if (live && generation > 0) void refresh();
  }, [stats, live]);
  return { nodes, clustered, error };
}
