// The Nodes screen: the cluster's nodes from cluster.nodes, this one marked, stale ones flagged,
// re-read while shown; on SQLite, one node.
import { afterEach, describe, expect, test } from "bun:test";
import type { NodeView } from "../../shared/rpc/cluster-contract.ts";
import { createFakeClient } from "../test/fake-client.ts";
import { fits, renderApp, type Harness } from "../test/harness.tsx";

let h: Harness;
afterEach(() => h?.unmount());

const beat = 2_000_000_000_000;
const node = (id: string, over: Partial<NodeView> = {}): NodeView => ({ id, address: `10.0.0.${id.slice(-1)}:8888`, version: "0.2.0", startedAt: beat - 3_600_000, inflight: 0, beatAt: beat, state: "live", self: false, stats: null, ...over });

describe("nodes", () => {
  test("three nodes: this one marked, a stale one with its beat's age, per-node counts", async () => {
    const fake = createFakeClient();
    fake.setCluster({
      clustered: true,
      heartbeatMs: 5000,
      nodes: [
        node("route-aaaaaaaaaaa1", { self: true, inflight: 3, stats: { windowS: 60, requests: 1200, errors: 7, rps: 20 } }),
        node("route-aaaaaaaaaaa2", { stats: { windowS: 60, requests: 30, errors: 0, rps: 0.5 } }),
        node("route-aaaaaaaaaaa3", { beatAt: beat - 21_000, state: "stale" }),
      ],
    });
    h = await renderApp({ fake });
    await h.press("5");
    await h.waitFor("2 live of 3 nodes");
    const t = h.text();
    expect(t).toMatch(/route-aaaaaaaaaaa1 \*\s+10\.0\.0\.1:8888\s+0\.2\.0\s+1h00m\s+3\s+0ms\s+live\s+1[,.]?200\s+7\n/);
    expect(t).toMatch(/route-aaaaaaaaaaa3\s+10\.0\.0\.3:8888\s+0\.2\.0\s+59m39s\s+0\s+21s\s+stale\s+-\s+-\n/);
    expect(fits(h, 80, 24)).toBe(true);

    fake.setCluster({ clustered: true, heartbeatMs: 5000, nodes: [node("route-aaaaaaaaaaa1", { self: true })] });
    fake.emitStats(); // re-read on the next tick while shown
    await h.waitFor("1 live of 1 nodes");
  });
});
