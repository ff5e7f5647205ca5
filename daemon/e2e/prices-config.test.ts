// Upstream groups and prices through a running daemon: `group` and `prices` survive the trip
// file → database → socket → export → file; the pricer follows a reload; a bad edit is refused.
// (Each bad entry's message: config/load.test.ts.)
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RpcClient } from "../../shared/rpc/client.ts";
import { loadConfigFile, parseConfigText } from "../config/load.ts";
import { startDaemon, type Daemon } from "../daemon.ts";
import { rpcClient, rpcError, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY } from "./harness.ts";

describe("through a running daemon", () => {
  let up: FakeUpstream;
  let dir: string;
  let file: string;
  let daemon: Daemon | null = null;
  let rpc: RpcClient | null = null;
  const YAML = () => `authorization: ${CLIENT_KEY}
prices:
  "gpt-4o*": { input: 2, output: 8 }
group_ratio: { vip: 1.5 }
upstreams:
  - name: reseller
    sk: sk-reseller-0000000011
    endpoint: ${up.url}
    group: [default, vip]
    prices:
      "llama-*": { input: 0.1, output: 0.2, cache_read: 0.05 }
  - name: plain
    sk: sk-plain-0000000022
    endpoint: ${up.url}
`;
  async function start() {
    daemon = await startDaemon({ hostname: "127.0.0.1", port: 0, dbPath: join(dir, "db.sqlite"), config: loadConfigFile(file).config, upstreamsFile: file, socketPath: join(dir, "s.sock"), logFlushMs: 10 });
    return (rpc = await rpcClient(join(dir, "s.sock")));
  }
  beforeAll(async () => {
    up = await startFakeUpstream("A");
  });
  afterAll(() => up.stop());
  afterEach(async () => {
    rpc?.close();
    await daemon?.stop();
    daemon = rpc = null;
  });

  test("group and prices round-trip: file → socket (upstreams.get) → export → file, and socket edits are written back", async () => {
    dir = shortTempDir();
    file = join(dir, "upstreams.yaml");
    writeFileSync(file, YAML());
    const r = await start();
    const reseller = await r.call("upstreams.get", { upstream: "reseller" });
    expect(reseller.groups).toEqual(["default", "vip"]);
    expect(reseller.prices).toEqual({ "llama-*": { input: 0.1, output: 0.2, cache_read: 0.05 } });
    expect((await r.call("upstreams.get", { upstream: "plain" })).groups).toBeNull();
    expect(daemon!.pool.find("plain")!.groups).toEqual(["default"]); // resolved for the router
    expect(daemon!.pool.find("reseller")!.groups).toEqual(["default", "vip"]);

    const { yaml } = await r.call("config.export", {});
    const exported = parseConfigText("export.yaml", yaml.replaceAll('"****0011"', "sk-x").replaceAll('"****0022"', "sk-y"));
    expect(exported.upstreams![0]).toMatchObject({ name: "reseller", group: ["default", "vip"], prices: { "llama-*": { input: 0.1, output: 0.2, cache_read: 0.05 } } });
    expect(exported.upstreams![1]!.group).toBeUndefined();
    expect(exported).toMatchObject({ prices: { "gpt-4o*": { input: 2, output: 8 } }, group_ratio: { vip: 1.5 } });

    await r.call("upstreams.update", { upstream: "plain", patch: { groups: ["cheap"], prices: { "gpt-4o": { input: 1, output: 1 } } } });
    const written = loadConfigFile(file).config.upstreams![1]!;
    expect(written).toMatchObject({ name: "plain", group: ["cheap"], prices: { "gpt-4o": { input: 1, output: 1 } } });
    expect(daemon!.pool.find("plain")!.groups).toEqual(["cheap"]);

    const bad = await rpcError(r.call("upstreams.update", { upstream: "plain", patch: { groups: [] } }));
    expect(bad.message).toContain("must name at least one group");
  });

  test("the pricer is rebuilt on reload; a bad prices edit is refused and the running prices stay", async () => {
    dir = shortTempDir();
    file = join(dir, "upstreams.yaml");
    writeFileSync(file, YAML());
    const r = await start();
    const q = () => ({ model: "gpt-4o", upstream: daemon!.pool.find("reseller")!, usage: { promptTokens: 1_000, completionTokens: 1_000, totalTokens: 2_000 } });
    expect(daemon!.pricer.cost(q())).toEqual({ micros: (1_000 * 2 + 1_000 * 8) * 1.5, source: "config:gpt-4o* ×1.5 vip" });

    writeFileSync(file, readFileSync(file, "utf8").replace("output: 8 }", "output: 4 }").replace("vip: 1.5", "vip: 2"));
    await r.call("config.reload", {});
    expect(daemon!.pricer.cost(q())).toEqual({ micros: (1_000 * 2 + 1_000 * 4) * 2, source: "config:gpt-4o* ×2 vip" });

    writeFileSync(file, readFileSync(file, "utf8").replace("vip: 2", "vip: -1"));
    const err = await rpcError(r.call("config.reload", {}));
    expect(err.message).toContain("group_ratio.vip: must be a multiplier above 0");
    expect(daemon!.pricer.cost(q())!.micros).toBe(12_000);
  });
});
