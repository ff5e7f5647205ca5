// Socket (and admin API) edits of upstreams that live in upstreams.yaml are written back to the
// file, comments kept, then applied; the file holds a prefix of the failover order. Refusals
// (file not writable, edited by hand since the last reload) say what to do.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RpcClient } from "../../shared/rpc/client.ts";
import { loadConfigFile } from "../config/load.ts";
import { startDaemon, type Daemon } from "../daemon.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";
import { bindUpstreamsFile } from "../upstreams/file.ts";
import { createUpstreamService } from "../upstreams/service.ts";
import { rpcClient, rpcError, shortTempDir } from "./control-harness.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody } from "./harness.ts";

let a: FakeUpstream;
let b: FakeUpstream;
let dir: string;
let file: string;
let daemon: Daemon | null = null;
let rpc: RpcClient | null = null;

const YAML = () => `# client keys
authorization: ${CLIENT_KEY}
upstreams:
  # primary: keep it first
  - name: a
    sk: sk-file-a-000000001111 # key A
    endpoint: ${a.url}
  - name: b
    sk: sk-file-b-000000002222
    endpoint: ${b.url}
    timeout: 30
`;

async function start() {
  daemon = await startDaemon({ hostname: "127.0.0.1", port: 0, dbPath: join(dir, "db.sqlite"), config: loadConfigFile(file).config, upstreamsFile: file, socketPath: join(dir, "s.sock"), logFlushMs: 10 });
  rpc = await rpcClient(join(dir, "s.sock"));
  return rpc;
}
async function stop() {
  rpc?.close();
  await daemon?.stop();
  daemon = rpc = null;
}
const names = async (r: RpcClient) => (await r.call("upstreams.list", {})).upstreams.map((u) => `${u.label}:${u.source}${u.enabled ? "" : ":off"}`);
const served = async () => {
  const res = await fetch(`${daemon!.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" }, body: JSON.stringify(chatBody()) });
  await res.text();
  return res.headers.get("x-route-attempts");
};

beforeAll(async () => {
  a = await startFakeUpstream("A");
  b = await startFakeUpstream("B");
});
afterAll(() => {
  a.stop();
  b.stop();
});
afterEach(stop);

describe("file-managed upstreams through the socket", () => {
  test("enable/disable/update are written back with comments kept, and survive a restart", async () => {
    dir = shortTempDir();
    file = join(dir, "upstreams.yaml");
    writeFileSync(file, YAML());
    const r = await start();
    expect((await r.call("upstreams.disable", { upstream: "a" })).enabled).toBe(false);
    expect(await served()).toBe("b=ok"); // the next request skips a
    await r.call("upstreams.update", { upstream: "b", patch: { timeoutMs: 1500, name: "bee" } });
    const text = readFileSync(file, "utf8");
    expect(text).toContain("# client keys");
    expect(text).toContain("# primary: keep it first");
    expect(text).toContain("sk: sk-file-a-000000001111 # key A");
    expect(text).toMatch(/name: a\n {4}sk: .*\n {4}endpoint: .*\n {4}enabled: false/);
    expect(text).toMatch(/name: bee\n[\s\S]*timeout: 1500ms/);
    await stop();
    const r2 = await start();
    expect(await names(r2)).toEqual(["a:file:off", "bee:file"]);
    expect((await r2.call("upstreams.get", { upstream: "bee" })).timeoutMs).toBe(1500);
    await r2.call("upstreams.enable", { upstream: "a" });
    expect(readFileSync(file, "utf8")).toContain("enabled: true");
  });

  test("the file holds the first upstreams: moves and adds across the boundary change where one lives", async () => {
    dir = shortTempDir();
    file = join(dir, "upstreams.yaml");
    writeFileSync(file, YAML());
    const r = await start();
    await r.call("upstreams.add", { name: "c", endpoint: b.url, sk: "sk-runtime-c-3333" }); // last: runtime
    await r.call("upstreams.add", { name: "d", endpoint: a.url, sk: "sk-runtime-d-4444", position: 1 }); // first: into the file
    expect(await names(r)).toEqual(["d:file", "a:file", "b:file", "c:runtime"]);
    await r.call("upstreams.move", { upstream: "b", position: 1 }); // within the file: reordered there
    expect(await names(r)).toEqual(["b:file", "d:file", "a:file", "c:runtime"]);
    expect(readFileSync(file, "utf8")).toMatch(/# primary: keep it first\n {2}- name: a\n/); // comments travel with their entry
    expect(await served()).toBe("b=ok");
    await r.call("upstreams.move", { upstream: "d", position: 4 }); // past the runtime one: leaves the file
    await r.call("upstreams.move", { upstream: "c", position: 1 }); // to the top: written into the file
    expect(await names(r)).toEqual(["c:file", "b:file", "a:file", "d:runtime"]);
    await r.call("upstreams.remove", { upstream: "a" });
    const cfg = loadConfigFile(file).config;
    expect(cfg.upstreams!.map((u) => u.name)).toEqual(["c", "b"]);
    expect(readFileSync(file, "utf8")).toContain("# client keys");
    await stop();
    expect(await names(await start())).toEqual(["c:file", "b:file", "d:runtime"]); // the restart's reconcile agrees
  });

  test("a file edited by hand since the last reload is not overwritten; reload (or SIGHUP) applies it", async () => {
    dir = shortTempDir();
    file = join(dir, "upstreams.yaml");
    writeFileSync(file, YAML());
    const r = await start();
    writeFileSync(file, `${YAML()}  - name: e\n    sk: sk-hand-e-5555\n    endpoint: ${a.url}\n`);
    const err = await rpcError(r.call("upstreams.disable", { upstream: "b" }));
    expect(err.code).toBe("file_changed");
    expect(err.message).toContain("routectl reload");
    expect(await r.call("config.reload", {})).toMatchObject({ file, found: true, added: 1, removed: 0, upstreams: 3 });
    await r.call("upstreams.disable", { upstream: "b" });
    expect(await names(r)).toEqual(["a:file", "b:file:off", "e:file"]);
    writeFileSync(file, "upstreams:\n  - sk: ''\n");
    const bad = await rpcError(r.call("config.reload", {}));
    expect(bad.code).toBe("file_invalid");
    expect(bad.data.problems).toEqual([`${file}: upstreams[0].sk: must not be empty: the upstream's API key`, `${file}: upstreams[0].endpoint: is required: the upstream's API base, such as https://api.openai.com/v1`]);
    expect(await names(r)).toEqual(["a:file", "b:file:off", "e:file"]); // nothing changed
  });

  test("the admin API edits file upstreams the same way (one shared service)", async () => {
    dir = shortTempDir();
    file = join(dir, "upstreams.yaml");
    writeFileSync(file, `admin_authorization: admin-key\n${YAML()}`);
    await start();
    const res = await fetch(`${daemon!.url}/admin/upstreams/1`, { method: "PUT", headers: { authorization: "Bearer admin-key" }, body: JSON.stringify({ Enabled: false }) });
    expect(res.status).toBe(200);
    expect(loadConfigFile(file).config.upstreams![0]).toMatchObject({ name: "a", enabled: false });
  });
});

describe("a file routed cannot write", () => {
  test("edits of its upstreams are refused with a hint; runtime upstreams still change; nothing half-applied", async () => {
    dir = shortTempDir();
    file = join(dir, "upstreams.yaml");
    writeFileSync(file, YAML());
    const before = readFileSync(file, "utf8");
    const store = openSqliteStore(":memory:");
    const readOnly = bindUpstreamsFile(file, { checkWritable: () => { throw Object.assign(new Error("read-only file system"), { code: "EROFS" }); } });
    const svc = createUpstreamService({ store, file: readOnly });
    await svc.reconcile(loadConfigFile(file).config.upstreams!);
    const err = await rpcError(svc.setEnabled("a", false));
    expect(err.code).toBe("file_managed");
    expect(err.message).toContain(`rewrites ${file}, which routed cannot write (EROFS)`);
    expect(err.message).toContain("routectl reload");
    expect(readFileSync(file, "utf8")).toBe(before);
    expect((await svc.get("a")).enabled).toBe(true);
    expect((await rpcError(svc.add({ endpoint: a.url, sk: "k", position: 1 }))).code).toBe("file_managed");
    const rt = await svc.add({ name: "rt", endpoint: a.url, sk: "k" });
    expect((await svc.setEnabled(rt.id, false)).enabled).toBe(false);
    expect((await svc.move("rt", 3)).map((u) => u.name)).toEqual(["a", "b", "rt"]);
    await store.close();
  });
});
