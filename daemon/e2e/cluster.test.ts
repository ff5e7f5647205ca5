// Several daemons in one process sharing one database through the in-memory cluster fake (the
// real Postgres run comes with its store): an edit made on one node reaches the others' pools and
// key registries, the nodes see each other, and upstreams.yaml is imported only when it changed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFakeCluster, until, type FakeCluster } from "../cluster/fake-cluster.ts";
import { FILE_HASH_META } from "../cluster/file-import.ts";
import { loadConfigFile } from "../config/load.ts";
import { startDaemon, type Daemon } from "../daemon.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";
import { rpcClient, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, CLIENT_KEY, startRoute } from "./harness.ts";
import { routectl } from "./processes.ts";

let up: FakeUpstream;
beforeAll(async () => void (up = await startFakeUpstream("X")));
afterAll(() => up.stop());

/** A node on the shared database: its own SQLite handle on one file, wrapped by the shared fake. */
function nodeOn(fake: FakeCluster, dir: string) {
  return (name: string, file?: string) =>
    startDaemon({
      hostname: "127.0.0.1",
      port: 0,
      store: fake.wrap(openSqliteStore(join(dir, "shared.sqlite"))),
      config: file ? loadConfigFile(file).config : { authorization: [CLIENT_KEY] },
      upstreamsFile: file,
      socketPath: join(dir, `${name}.sock`),
      logFlushMs: 10,
      cluster: { pollMs: 60_000, heartbeatMs: 200 },
    });
}

const ask = (d: Daemon, key = CLIENT_KEY) =>
  fetch(`${d.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(chatBody()) });

describe("three nodes on one database", () => {
  const dir = shortTempDir("rcl-");
  const fake = createFakeCluster();
  const start = nodeOn(fake, dir);
  let a: Daemon, b: Daemon, c: Daemon;
  beforeAll(async () => {
    a = await start("a");
    b = await start("b");
    c = await start("c");
  });
  afterAll(async () => {
    for (const d of [a, b, c]) await d.stop(); // stop twice is the same stop
  });

  test("an upstream added through one node's control socket serves requests on the others", async () => {
    const rpc = await rpcClient(join(dir, "a.sock"));
    await rpc.call("upstreams.add", { name: "x", endpoint: up.url, sk: "sk-cluster-secret-xxxx" });
    rpc.close();
    await until(() => b.pool.find("x") !== undefined && c.pool.find("x") !== undefined, "the others' pools");
    const res = await ask(c);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-route-upstream")).toBe("x");
  });

  test("a client key made on one node works on another; disabled there, it is refused here", async () => {
    const { key, secret } = await a.keys.add({ name: "team" });
    await until(() => b.registry.size === 1, "b's key registry");
    const ok = await ask(b, secret);
    await ok.arrayBuffer();
    expect(ok.status).toBe(200);
    await a.keys.setEnabled(key.id, false);
    await until(async () => (await ask(b, secret)).status === 401, "b to refuse the disabled key");
  });

  test("each node lists the others; /health and daemon.status say what the node applied", async () => {
    await until(() => a.cluster.liveNodes() === 3 && b.cluster.liveNodes() === 3, "three live nodes");
    const rpc = await rpcClient(join(dir, "b.sock"));
    const { clustered, nodes } = await rpc.call("cluster.nodes", {});
    const status = await rpc.call("daemon.status", {});
    rpc.close();
    expect(clustered).toBe(true);
    expect(nodes.map((n) => n.address).sort()).toEqual([a, b, c].map((d) => `127.0.0.1:${d.port}`).sort());
    expect(nodes.filter((n) => n.self).map((n) => n.address)).toEqual([`127.0.0.1:${b.port}`]);
    expect(nodes.every((n) => n.state === "live")).toBe(true);
    expect(status.cluster).toMatchObject({ liveNodes: 3, configVersion: fake.version, listener: "connected", fileWriteBack: false });
    const health = await (await fetch(`${b.url}/health`)).json();
    expect(health).toMatchObject({ status: "ok", store: { state: "healthy" }, cluster: { node: status.cluster!.node, live_nodes: 3, config_version: fake.version, listener: "connected" } });
  });

  test("routectl nodes: a table of the three, --json, --stats for one node", async () => {
    const sock = join(dir, "b.sock");
    const table = await routectl(["--socket", sock, "nodes"]);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+ADDRESS\s+VERSION\s+UP\s+INFL\s+LAST BEAT\s+STATE$/);
    expect(lines.slice(1).filter((l) => /\slive$/.test(l))).toHaveLength(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.filter((l) => l.includes(" *") && l.includes(`127.0.0.1:${b.port}`))).toHaveLength(1);
    const json = (await routectl(["--socket", sock, "--json", "nodes"])).json();
    expect(json.nodes).toHaveLength(3);
    const id: string = json.nodes.find((n: { address: string }) => n.address === `127.0.0.1:${c.port}`).id;
    await until(async () => (await routectl(["--socket", sock, "--json", "nodes", "--node", id])).json().nodes[0].stats?.requests === 1, "c's beat to carry its request");
    const one = await routectl(["--socket", sock, "nodes", "--stats", "--node", id.slice(-6)]);
    expect(one.out).toMatch(/REQ\s+ERR\s+REQ\/S\n/);
    expect(one.out).toMatch(new RegExp(`^${id}\\s.*\\slive\\s+1\\s+0\\s+\\d+\\.\\d\\d$`, "m"));
    expect((await routectl(["--socket", sock, "nodes", "--node", "nope"])).code).toBe(1);
    const status = await routectl(["--socket", sock, "status"]);
    expect(status.out).toMatch(/cluster\s+node route-\w+, 3 live nodes, config version \d+ \(listener connected\); upstream edits go to the database, not to the upstreams file/);
  });

  test("a node that stops leaves the others' lists at once", async () => {
    await c.stop();
    await until(async () => (await b.cluster.nodes()).nodes.length === 2, "c to leave");
    await b.cluster.heartbeat()!.beat();
    expect(b.cluster.liveNodes()).toBe(2);
  });
});

test("on SQLite the cluster is this node alone: no cluster part in /health, routectl nodes shows one row", async () => {
  const dir = shortTempDir("rc1-");
  const route = await startRoute([], { socketPath: join(dir, "r.sock") });
  try {
    expect(await (await fetch(`${route.url}/health`)).json()).not.toHaveProperty("cluster");
    const res = await routectl(["--socket", join(dir, "r.sock"), "nodes"]);
    expect(res.out.trimEnd().split("\n").slice(1, -1)).toHaveLength(1);
    expect(res.out).toContain(`127.0.0.1:${route.daemon.port}`);
    expect(res.out).toContain("one node: the database is not shared (SQLite)");
    expect(route.daemon.cluster.liveNodes()).toBe(1);
  } finally {
    await route.stop();
  }
});

describe("upstreams.yaml with a cluster store", () => {
  const dir = shortTempDir("rcf-");
  const fake = createFakeCluster();
  const start = nodeOn(fake, dir);
  const file = join(dir, "upstreams.yaml");
  const yaml = (...names: string[]) => `authorization: ${CLIENT_KEY}\nupstreams:\n${names.map((n) => `  - name: ${n}\n    endpoint: ${up.url}\n    sk: sk-${n}-secret-0000\n`).join("")}`;

  test("a restart with the same file keeps socket edits; a changed file is imported once; the file is never rewritten", async () => {
    writeFileSync(file, yaml("f1"));
    let a = await start("a", file);
    const hash = fake.meta.get(FILE_HASH_META);
    expect(hash).toBeDefined();
    const rpc = await rpcClient(join(dir, "a.sock"));
    await rpc.call("upstreams.disable", { upstream: "f1" });
    rpc.close();
    expect(readFileSync(file, "utf8")).toBe(yaml("f1")); // the database is the truth, not this copy

    await a.stop();
    a = await start("a", file); // restart with the old copy
    const b = await start("b", file); // a second node with the same file
    try {
      for (const d of [a, b]) expect(d.pool.find("f1")?.enabled).toBe(false);
      expect(fake.meta.get(FILE_HASH_META)).toBe(hash!);

      writeFileSync(file, yaml("f1", "f2"));
      const first = await b.reloadConfig();
      expect(first).toMatchObject({ added: 1, updated: 1 }); // f2 added; f1 as the file says (enabled)
      await until(() => a.pool.find("f2") !== undefined, "a to follow b's import");
      const second = await a.reloadConfig();
      expect(second).toMatchObject({ added: 0, updated: 0, removed: 0, imported: false });
      expect(a.pool.all().map((u) => [u.label, u.enabled])).toEqual([["f1", true], ["f2", true]]);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(fake.nodes.size).toBe(0); // both left the node list on stop
  });
});
