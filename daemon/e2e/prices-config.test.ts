// Upstream groups and prices in the config: bad entries are refused with a line naming the field
// and the fix; `group` and `prices` survive the trip file → database → socket → export → file;
// the pricer follows a reload.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RpcClient } from "../../shared/rpc/client.ts";
import { ConfigError, loadConfigFile, parseConfigText } from "../config/load.ts";
import { startDaemon, type Daemon } from "../daemon.ts";
import { rpcClient, rpcError, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY } from "./harness.ts";

function problems(text: string): string[] {
  try {
    parseConfigText("u.yaml", text);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}
const upstream = (extra: string) => `upstreams:\n  - name: a\n    sk: sk-a\n    endpoint: http://h/v1\n${extra}`;

describe("bad entries are refused with a clear message", () => {
  test("prices", () => {
    expect(problems('prices:\n  "gpt-4o*": { input: -1, output: 10 }\n')).toEqual(["u.yaml: prices.gpt-4o*.input: must be 0 or more (USD per million tokens)"]);
    expect(problems('prices:\n  "gpt-4o*": { input: 1 }\n')).toEqual(["u.yaml: prices.gpt-4o*.output: must be a price in USD per million tokens"]);
    expect(problems('prices:\n  "gpt-4o*": { input: 1, output: 2, cached: 1 }\n')).toEqual(["u.yaml: prices.gpt-4o*.cached: unknown field; remove it or check its spelling"]);
    expect(problems('prices:\n  "gpt-4o*": 2.5\n')).toEqual([
      'u.yaml: prices.gpt-4o*: must be a price such as { input: 2.5, output: 10, cache_read: 1.25, cache_write: 3.75 } (USD per million tokens)',
    ]);
    expect(problems(upstream("    prices: { llama: { input: 1, output: x } }\n"))).toEqual(["u.yaml: upstreams[0].prices.llama.output: must be a price in USD per million tokens"]);
  });

  test("group", () => {
    expect(problems(upstream("    group: vip\n"))).toEqual(["u.yaml: upstreams[0].group: must be a list of group names, such as [default, vip]"]);
    expect(problems(upstream("    group: []\n"))).toEqual(["u.yaml: upstreams[0].group: must name at least one group (leave it out for [default])"]);
    expect(problems(upstream('    group: ["a b"]\n'))).toEqual(["u.yaml: upstreams[0].group[0]: must be a group name: 1-64 letters, digits, '.', '_' or '-'"]);
  });

  test("group_ratio and unknown_price", () => {
    expect(problems("group_ratio: { vip: 0 }\n")).toEqual(["u.yaml: group_ratio.vip: must be a multiplier above 0, such as 1.5"]);
    expect(problems("group_ratio: { vip: fast }\n")).toEqual(["u.yaml: group_ratio.vip: must be a number"]);
    expect(problems("group_ratio: 1.5\n")).toEqual(["u.yaml: group_ratio: must map group names to multipliers, such as { vip: 1.5 }"]);
    expect(problems("unknown_price: maybe\n")).toEqual(["u.yaml: unknown_price: must be allow or refuse"]);
  });
});

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
