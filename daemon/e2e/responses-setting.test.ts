// The `responses` upstream setting through a running daemon: file → database → socket
// (upstreams.get) → export, the pool's resolved value, socket edits written back to the file,
// and the admin API (`Responses`).
import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RpcClient } from "../../shared/rpc/client.ts";
import { loadConfigFile, parseConfigText } from "../config/load.ts";
import { startDaemon, type Daemon } from "../daemon.ts";
import { rpcClient, rpcError, shortTempDir } from "./control-harness.ts";
import { CLIENT_KEY } from "./harness.ts";

const ADMIN_KEY = "route-test-admin-key-responses";
let daemon: Daemon | null = null;
let rpc: RpcClient | null = null;
afterEach(async () => {
  rpc?.close();
  await daemon?.stop();
  daemon = rpc = null;
});

test("responses round-trips file → socket → export, resolves in the pool, and is written back / shown by the admin API", async () => {
  const dir = shortTempDir();
  const file = join(dir, "upstreams.yaml");
  // Endpoints are never called here: the test reads settings only.
  writeFileSync(file, `authorization: ${CLIENT_KEY}
admin_authorization: ${ADMIN_KEY}
upstreams:
  - name: vllm
    sk: sk-vllm-0000000011
    endpoint: http://127.0.0.1:9/v1
    responses: false
  - name: plain
    sk: sk-plain-0000000022
    endpoint: http://127.0.0.1:9/v1
  - name: claude
    type: anthropic
    sk: sk-ant-0000000033
    endpoint: http://127.0.0.1:9/v1
    responses: true
`);
  daemon = await startDaemon({ hostname: "127.0.0.1", port: 0, dbPath: join(dir, "db.sqlite"), config: loadConfigFile(file).config, upstreamsFile: file, socketPath: join(dir, "s.sock"), logFlushMs: 10 });
  const r = (rpc = await rpcClient(join(dir, "s.sock")));

  expect((await r.call("upstreams.get", { upstream: "vllm" })).responses).toBe(false);
  expect((await r.call("upstreams.get", { upstream: "plain" })).responses).toBeNull();
  expect((await r.call("upstreams.get", { upstream: "claude" })).responses).toBe(true); // kept as written, ignored
  expect(["vllm", "plain", "claude"].map((n) => daemon!.pool.find(n)!.responses)).toEqual([false, true, false]);

  const { yaml } = await r.call("config.export", {});
  const exported = parseConfigText("export.yaml", yaml); // masked keys still parse
  expect(exported.upstreams!.map((u) => u.responses)).toEqual([false, undefined, true]);

  await r.call("upstreams.update", { upstream: "plain", patch: { responses: false } });
  expect(loadConfigFile(file).config.upstreams![1]).toMatchObject({ name: "plain", responses: false });
  expect(daemon.pool.find("plain")!.responses).toBe(false);
  await r.call("upstreams.update", { upstream: "vllm", patch: { responses: null } });
  expect(loadConfigFile(file).config.upstreams![0]!.responses).toBeUndefined(); // back to the default: key removed
  expect(daemon.pool.find("vllm")!.responses).toBe(true);
  const bad = await rpcError(r.call("upstreams.update", { upstream: "plain", patch: { responses: "no" as never } }));
  expect(bad.message).toContain("responses");

  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const list = (await (await fetch(`${daemon.url}/admin/upstreams`, { headers: admin })).json()) as { Name: string; Responses: boolean | null }[];
  expect(list.map((u) => [u.Name, u.Responses])).toEqual([["vllm", null], ["plain", false], ["claude", true]]);
  const id = (await r.call("upstreams.get", { upstream: "vllm" })).id;
  const put = await fetch(`${daemon.url}/admin/upstreams/${id}`, { method: "PUT", headers: admin, body: JSON.stringify({ Responses: false }) });
  expect(put.status).toBe(200);
  expect(daemon.pool.find("vllm")!.responses).toBe(false);
});
