// Clients are not administrators: the HTTP admin API needs its own key (off without one), a client
// key sees /v1/status without endpoints and errors, and /metrics can take a key of its own.
import { beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { shortTempDir } from "./control-harness.ts";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody, json, type Route } from "./harness.ts";
import { ROUTED, spawnRouted } from "./processes.ts";
import { e2eSuite, type RouteOptions } from "./suite.ts";

const suite = e2eSuite("A");
let a: FakeUpstream;
beforeAll(() => void ([a] = suite.upstreams));

const ADMIN_KEY = "route-test-admin-key";
const route = (opts: RouteOptions = {}) => suite.route([{ name: "a", endpoint: a.url }], opts);
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const adminList = (r: Route, headers: Record<string, string> = {}) => fetch(`${r.url}/admin/upstreams`, { headers });
const addUpstream = (r: Route, key: string, endpoint: string) =>
  fetch(`${r.url}/admin/upstreams`, { method: "POST", headers: bearer(key), body: JSON.stringify({ SK: "sk-admin-added-0000", Endpoint: endpoint, Enabled: false }) });

describe("the HTTP admin API", () => {
  test("without an admin key it is off: 404 not_found with how to enable it, whatever the key", async () => {
    const r = await route();
    for (const headers of [{}, bearer(CLIENT_KEY)]) {
      const res = await adminList(r, headers);
      expect(res.status).toBe(404);
      expect(await json(res)).toEqual({ error: { message: expect.stringContaining("admin_authorization"), type: "invalid_request_error", param: null, code: "not_found" } });
    }
    expect((await addUpstream(r, CLIENT_KEY, "http://127.0.0.1:9/v1")).status).toBe(404);
    expect(r.daemon.pool.all().length).toBe(1); // nothing was added
  });

  test("with admin_authorization: a client key or none is 401; the admin key works", async () => {
    const r = await route({ config: { admin_authorization: ADMIN_KEY } });
    for (const headers of [{}, bearer(CLIENT_KEY), bearer(`${ADMIN_KEY}x`)]) {
      const res = await adminList(r, headers);
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe("invalid_api_key");
    }
    expect((await addUpstream(r, CLIENT_KEY, "http://127.0.0.1:9/v1")).status).toBe(401);
    expect((await json(await adminList(r, bearer(ADMIN_KEY)))).map((u: any) => u.Name)).toEqual(["a"]);
    expect(await json(await addUpstream(r, ADMIN_KEY, "http://127.0.0.1:9/v1"))).toMatchObject({ message: "success", ID: 2 });
    // The admin key is not a client key.
    expect((await r.post("/v1/chat/completions", chatBody(), bearer(ADMIN_KEY))).status).toBe(401);
  });

  test("migration from openai-api-route: admin_authorization set to the old client key opens both", async () => {
    const r = await route({ config: { admin_authorization: CLIENT_KEY } });
    expect((await adminList(r, bearer(CLIENT_KEY))).status).toBe(200);
    expect((await r.post("/v1/chat/completions", chatBody())).status).toBe(200);
  });

  test("the admin key from the daemon's option (--admin-key-file) works beside the config's, and admin_authorization is re-read on reload", async () => {
    const dir = shortTempDir();
    const file = join(dir, "upstreams.yaml");
    const write = (extra: object) => writeFileSync(file, stringify({ authorization: CLIENT_KEY, upstreams: [{ name: "a", sk: "sk-a-secret-key", endpoint: a.url }], ...extra }));
    write({});
    const r = await route({ adminKey: "flag-admin-key", upstreamsFile: file });
    expect((await adminList(r, bearer("flag-admin-key"))).status).toBe(200);
    expect((await adminList(r, bearer("file-admin-key"))).status).toBe(401);
    write({ admin_authorization: ["file-admin-key"] });
    await r.daemon.reloadConfig();
    expect((await adminList(r, bearer("file-admin-key"))).status).toBe(200);
    expect((await adminList(r, bearer("flag-admin-key"))).status).toBe(200);
  });
});

describe("routed start --admin-key-file", () => {
  test("the file's key opens the admin API; a key file others can read is warned about; a missing one stops routed", async () => {
    const dir = shortTempDir();
    const keyFile = join(dir, "admin.key");
    writeFileSync(keyFile, "admin-from-file-key\n");
    chmodSync(keyFile, 0o644);
    writeFileSync(join(dir, "upstreams.yaml"), `authorization: ${CLIENT_KEY}\n`);
    const args = ["--db", join(dir, "db.sqlite"), "--upstreams", join(dir, "upstreams.yaml"), "--socket", join(dir, "s.sock")];
    const routed = await spawnRouted([...args, "--admin-key-file", keyFile]);
    try {
      expect(routed.log.text).toContain("the admin key file is readable by group or others");
      expect(routed.log.text).not.toContain("admin-from-file-key");
      expect((await fetch(`${routed.url}/admin/upstreams`, { headers: bearer("admin-from-file-key") })).status).toBe(200);
      expect((await fetch(`${routed.url}/admin/upstreams`, { headers: bearer(CLIENT_KEY) })).status).toBe(401);
    } finally {
      routed.proc.kill("SIGTERM");
      await routed.exited;
    }
    const missing = Bun.spawnSync([...ROUTED, "start", "--addr", "127.0.0.1:0", ...args, "--admin-key-file", join(dir, "nope")], { stderr: "pipe" });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.toString()).toContain("--admin-key-file: cannot read");
  });
});

describe("/v1/status", () => {
  test("a client key sees availability and limits but not endpoints or errors; the admin key sees everything", async () => {
    const r = await route({ config: { admin_authorization: ADMIN_KEY } });
    a.next({ status: 500, body: "upstream trace at 10.1.2.3" });
    await r.post("/v1/chat/completions", chatBody());
    const client = await json(await fetch(`${r.url}/v1/status`, { headers: bearer(CLIENT_KEY) }));
    expect(client.apis[0]).toMatchObject({ id: 1, name: "a", enabled: true, limits: { rpm: -1, rpd: -1, tpm: -1 }, usage: { rpm: 1, rpd: 1 }, failures: 1 });
    for (const field of ["endpoint", "last_error", "last_error_at"]) expect(client.apis[0]).not.toHaveProperty(field);
    expect(JSON.stringify(client)).not.toContain(new URL(a.url).host);
    const admin = await json(await fetch(`${r.url}/v1/status`, { headers: bearer(ADMIN_KEY) }));
    expect(admin.apis[0]).toMatchObject({ endpoint: a.url, last_error: expect.any(String) });
    expect((await fetch(`${r.url}/v1/status`)).status).toBe(401);
  });
});

describe("/metrics", () => {
  test("model labels are only configured names: 50 invented 10 KB model names count as other and the page stays small", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url, models: ["gpt-4o-mini"], model_mapping: { fast: "gpt-4o-mini" } }, { name: "b", endpoint: a.url }]);
    await r.post("/v1/chat/completions", chatBody());
    const before = (await (await fetch(`${r.url}/metrics`)).text()).length;
    for (let i = 0; i < 50; i++) expect((await r.post("/v1/chat/completions", chatBody({ model: `${i}-${"x".repeat(10_000)}` }))).status).toBe(200);
    await r.rows(); // token counts land with the log rows
    const text = await (await fetch(`${r.url}/metrics`)).text();
    expect(text).toContain('route_requests_total{upstream="a",model="gpt-4o-mini",status_class="2xx"} 1');
    expect(text).toContain('route_requests_total{upstream="b",model="other",status_class="2xx"} 50');
    expect(text).not.toContain("xxxxxxxxxx");
    expect(text.length).toBeLessThan(before + 8_000); // the "other" children and counters that moved, not 500 KB of names
  });

  test("metrics_authorization: /metrics and /v1/metrics need that key (a client key is 401); unset they are open", async () => {
    const closed = await route({ config: { metrics_authorization: "scrape-key" } });
    for (const path of ["/metrics", "/v1/metrics"]) {
      for (const headers of [{}, bearer(CLIENT_KEY)]) {
        const res = await fetch(`${closed.url}${path}`, { headers });
        expect(res.status).toBe(401);
        expect((await json(res)).error.code).toBe("invalid_api_key");
      }
      const ok = await fetch(`${closed.url}${path}`, { headers: bearer("scrape-key") });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("route_inflight_requests");
    }
    const open = await route();
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
  });
});
