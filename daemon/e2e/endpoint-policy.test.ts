// Upstream endpoints at link-local / cloud-metadata addresses or with credentials in the URL are
// refused at every entry point: the upstreams file, the control socket, the HTTP admin API.
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { rpcClient, rpcError, shortTempDir } from "./control-harness.ts";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, json } from "./harness.ts";
import { e2eSuite } from "./suite.ts";

const suite = e2eSuite("A");
let a: FakeUpstream;
beforeAll(() => void ([a] = suite.upstreams));

const ADMIN_KEY = "route-test-admin-key";
const METADATA = ["http://169.254.169.254/latest", "http://2852039166/v1", "http://[::ffff:169.254.169.254]/v1", "http://metadata.google.internal/v1"];
const WITH_SECRET = ["https://user:SECRET-pw@api.example.com/v1", "https://api.example.com/v1?api_key=SECRET-q"];

/** A route with a file, a socket and the admin API; `write` replaces the file's extra fields. */
async function start() {
  const dir = shortTempDir();
  const file = join(dir, "upstreams.yaml");
  const write = (extra: Record<string, unknown> = {}, endpoint = a.url) =>
    writeFileSync(file, stringify({ authorization: CLIENT_KEY, admin_authorization: ADMIN_KEY, upstreams: [{ name: "a", sk: "sk-a-secret-key", endpoint }], ...extra }));
  write();
  const r = await suite.route([{ name: "a", sk: "sk-a-secret-key", endpoint: a.url }], { upstreamsFile: file, socketPath: join(dir, "s.sock"), config: { admin_authorization: ADMIN_KEY } });
  const rpc = await rpcClient(join(dir, "s.sock"));
  const adminAdd = (endpoint: string) =>
    fetch(`${r.url}/admin/upstreams`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ SK: "sk-new-key-0000", Endpoint: endpoint, Enabled: false }) });
  return { r, rpc, write, adminAdd };
}

/** One endpoint through the three entry points (file reload, socket add, admin add): each refusal. */
async function refusals(t: Awaited<ReturnType<typeof start>>, endpoint: string) {
  t.write({}, endpoint);
  const reload = await rpcError(t.rpc.call("config.reload", {}));
  const socket = await rpcError(t.rpc.call("upstreams.add", { endpoint, sk: "sk-new-key-0000", enabled: false }));
  const res = await t.adminAdd(endpoint);
  return { reload, socket, admin: { status: res.status, text: await res.text() } };
}

describe("link-local and metadata endpoints", () => {
  test("refused through the file (reload), the socket and the admin API; nothing is added", async () => {
    const t = await start();
    const { r, rpc } = t;
    for (const endpoint of METADATA) {
      const { reload, socket, admin } = await refusals(t, endpoint);
      expect(reload.code).toBe("file_invalid");
      expect(reload.message).toContain("upstreams[0].endpoint: points at");
      expect(socket.code).toBe("invalid_params");
      expect(socket.message).toContain("allow_link_local");
      expect(admin.status).toBe(400);
      expect(JSON.parse(admin.text).error.message).toContain("allow_link_local");
    }
    const socketUpdate = await rpcError(rpc.call("upstreams.update", { upstream: "a", patch: { endpoint: METADATA[0]! } }));
    expect(socketUpdate.message).toContain("allow_link_local");
    const adminUpdate = await fetch(`${r.url}/admin/upstreams/1`, { method: "PUT", headers: { authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ Endpoint: METADATA[1] }) });
    expect(adminUpdate.status).toBe(400);
    expect((await json(adminUpdate)).error.message).toContain("allow_link_local");
    expect(r.daemon.pool.all().map((u) => u.endpoint)).toEqual([a.url]);
    rpc.close();
  });

  test("allow_link_local lists hosts that may be used anyway (any spelling), at every entry point", async () => {
    const { r, rpc, write, adminAdd } = await start();
    write({ allow_link_local: ["169.254.169.254"] }, "http://2852039166/v1");
    expect((await rpc.call("config.reload", {})).upstreams).toBe(1);
    expect(r.daemon.pool.all()[0]!.endpoint).toBe("http://2852039166/v1"); // stored as written, judged as parsed
    expect((await rpc.call("upstreams.add", { endpoint: "http://0xa9fea9fe/v1", sk: "sk-new-key-0000", enabled: false })).id).toBe(2);
    expect((await adminAdd("http://169.254.169.254/x")).status).toBe(200);
    expect((await adminAdd("http://169.254.1.1/x")).status).toBe(400); // only the listed host
    rpc.close();
  });
});

describe("credentials in the endpoint URL", () => {
  test("refused through the file, the socket and the admin API, with a hint to use sk, never echoing them", async () => {
    const t = await start();
    for (const endpoint of WITH_SECRET) {
      const { reload, socket, admin } = await refusals(t, endpoint);
      expect(admin.status).toBe(400);
      const texts = [JSON.stringify({ m: reload.message, d: reload.data }), JSON.stringify({ m: socket.message, d: socket.data }), admin.text];
      for (const text of texts) {
        expect(text).toContain("`sk`");
        expect(text).not.toContain("SECRET");
      }
    }
    expect(t.r.daemon.pool.all().map((u) => u.endpoint)).toEqual([a.url]);
    t.rpc.close();
  });
});
