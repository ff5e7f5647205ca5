import { describe, expect, test } from "bun:test";
import { silentLogger } from "../log.ts";
import { createFakeCluster } from "./fake-cluster.ts";
import { countLive, createNodeHeartbeat, DEAD_BEATS, nodeStates, STALE_BEATS } from "./nodes.ts";

const node = (id: string, beatAt: number) => ({ id, address: `${id}:8888`, version: "1", startedAt: 0, inflight: 0, stats: null, beatAt });

describe("node states", () => {
  test("stale after 3 intervals without a beat, measured from the freshest beat (the database's clock)", () => {
    const interval = 5000;
    const nodes = [node("a", 100_000), node("b", 100_000 - STALE_BEATS * interval), node("c", 100_000 - STALE_BEATS * interval - 1)];
    const states = nodeStates(nodes, "a", interval);
    expect(states.map((n) => [n.id, n.state, n.self])).toEqual([["a", "live", true], ["b", "live", false], ["c", "stale", false]]);
    expect(countLive(states)).toBe(2);
  });

  test("this node counts even when its own row is missing; never fewer than 1", () => {
    expect(countLive([])).toBe(1);
    expect(countLive(nodeStates([node("b", 10)], "a", 5000))).toBe(2);
  });
});

describe("heartbeat", () => {
  test("beats, sees the others, marks one stale when it stops beating, and leaves on stop", async () => {
    let now = 1_000_000;
    const fake = createFakeCluster({ now: () => now });
    const beat = (id: string) => createNodeHeartbeat({ cluster: fake.cluster, self: () => ({ id, address: `${id}:1`, version: "v", startedAt: 1, inflight: 2, stats: { requests: 3 } }), intervalMs: 5000, log: silentLogger });
    const a = beat("route-a");
    const b = beat("route-b");
    await a.start();
    await b.start();
    await a.beat();
    expect(a.liveNodes()).toBe(2);
    expect((await a.list()).find((n) => n.id === "route-b")).toMatchObject({ inflight: 2, stats: { requests: 3 }, state: "live", self: false });

    now += 15_000; // b's last beat is exactly 3 intervals old: still live
    await a.beat();
    expect(a.liveNodes()).toBe(2);
    now += 1;
    await a.beat();
    expect(a.liveNodes()).toBe(1);
    expect((await a.list()).find((n) => n.id === "route-b")!.state).toBe("stale");

    await b.beat(); // it comes back
    await a.beat();
    expect(a.liveNodes()).toBe(2);

    await b.stop();
    expect([...fake.nodes.keys()]).toEqual(["route-a"]);
    await a.beat();
    expect(a.liveNodes()).toBe(1);
    await a.stop();
    expect(fake.nodes.size).toBe(0);
  });

  test("a failing database is counted, keeps the last list, and never throws", async () => {
    const fake = createFakeCluster();
    let failures = 0;
    const hb = createNodeHeartbeat({ cluster: fake.cluster, self: () => ({ id: "route-a", address: "a:1", version: "v", startedAt: 1, inflight: 0, stats: null }), log: silentLogger, onFailure: () => failures++ });
    await fake.cluster.heartbeat({ id: "route-b", address: "b:1", version: "v", startedAt: 1, inflight: 0, stats: null });
    await hb.start();
    expect(hb.liveNodes()).toBe(2);
    fake.fail(new Error("down"));
    await hb.beat();
    expect(failures).toBe(1);
    expect(hb.liveNodes()).toBe(2);
    await hb.stop(); // the row cannot be removed: logged, it turns stale by itself
    fake.fail(null);
    expect(fake.nodes.has("route-a")).toBe(true);
  });
});

test("a node silent for DEAD_BEATS intervals is released (its budget holds) and leaves the list; a stale one stays", async () => {
  let now = 1_000_000;
  const fake = createFakeCluster({ now: () => now });
  const released: string[] = [];
  const beat = (id: string) =>
    createNodeHeartbeat({ cluster: fake.cluster, self: () => ({ id, address: `${id}:1`, version: "v", startedAt: 1, inflight: 0, stats: null }), intervalMs: 5000, log: silentLogger, onDead: async (dead) => void released.push(dead) });
  const a = beat("route-a");
  const b = beat("route-b");
  await a.start();
  await b.start(); // b beats once and is then killed (never stops)
  now += STALE_BEATS * 5000 + 1;
  await a.beat();
  expect((await a.list()).map((n) => [n.id, n.state])).toEqual([["route-a", "live"], ["route-b", "stale"]]);
  expect(released).toEqual([]);
  now += DEAD_BEATS * 5000;
  await a.beat();
  expect(released).toEqual(["route-b"]);
  expect((await a.list()).map((n) => n.id)).toEqual(["route-a"]);
  await a.stop();
  await b.stop(); // its timer (the test's "killed" node never ran it)
});
