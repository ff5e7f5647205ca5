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

describe("link-local and metadata endpoints", () => {
  test("refused through the file (reload), the socket and the admin API; nothing is added", async () => {
    const { r, rpc, write, adminAdd } = await start();
    for (const endpoint of METADATA) {
      write({}, endpoint);
      const reload = await rpcError(rpc.call("config.reload", {}));
      expect(reload.code).toBe("file_invalid");
      expect(reload.message).toContain("upstreams[0].endpoint: points at");
      const socket = await rpcError(rpc.call("upstreams.add", { endpoint, sk: "sk-new-key-0000", enabled: false }));
      expect(socket.code).toBe("invalid_params");
      expect(socket.message).toContain("allow_link_local");
      const admin = await adminAdd(endpoint);
      expect(admin.status).toBe(400);
      expect((await json(admin)).error.message).toContain("allow_link_local");
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
    const { r, rpc, write, adminAdd } = await start();
    for (const endpoint of WITH_SECRET) {
      write({}, endpoint);
      const reload = await rpcError(rpc.call("config.reload", {}));
      const socket = await rpcError(rpc.call("upstreams.add", { endpoint, sk: "sk-new-key-0000" }));
      const admin = await adminAdd(endpoint);
      expect(admin.status).toBe(400);
      const texts = [JSON.stringify({ m: reload.message, d: reload.data }), JSON.stringify({ m: socket.message, d: socket.data }), await admin.text()];
      for (const text of texts) {
        expect(text).toContain("`sk`");
        expect(text).not.toContain("SECRET");
      }
    }
    expect(r.daemon.pool.all().map((u) => u.endpoint)).toEqual([a.url]);
    rpc.close();
  });
});
