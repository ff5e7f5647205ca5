import { beforeAll, describe, expect, test } from "bun:test";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody, json } from "./harness.ts";
import { e2eSuite, type RouteOptions } from "./suite.ts";
import { createLogger } from "../log.ts";

const suite = e2eSuite("A");
let a: FakeUpstream;
beforeAll(() => void ([a] = suite.upstreams));

const SECRET_UP = "sk-SENTINEL-upstream-7f3a9c";
const route = (opts: RouteOptions = {}) => suite.route([{ name: "a", sk: SECRET_UP, endpoint: a.url }], opts);
const auth = { authorization: `Bearer ${CLIENT_KEY}` };
const ADMIN_KEY = "route-test-admin-key";
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

describe("proxy hygiene", () => {
  test("hop-by-hop headers, client credentials and Host never reach the upstream", async () => {
    const r = await route();
    await r.post("/v1/chat/completions", chatBody(), {
      connection: "keep-alive, x-secret-hop",
      "x-secret-hop": "1",
      "keep-alive": "timeout=5",
      te: "trailers",
      "proxy-authorization": "Basic abc",
      "x-api-key": "client-side",
      "x-forwarded-for": "6.6.6.6",
      "openai-beta": "assistants=v2",
      host: "evil.example",
    });
    const h = a.received.at(-1)!.headers;
    for (const k of ["x-secret-hop", "keep-alive", "te", "proxy-authorization", "x-api-key", "x-forwarded-for"]) expect(h[k]).toBeUndefined();
    expect(h.authorization).toBe(`Bearer ${SECRET_UP}`);
    expect(h.host).toBe(new URL(a.url).host);
    expect(h["openai-beta"]).toBe("assistants=v2");
  });

  test("hop-by-hop response headers are stripped; gzip bodies arrive decodable", async () => {
    const r = await route();
    a.next({ gzip: true, headers: { "keep-alive": "timeout=5", connection: "x-up-hop", "x-up-hop": "1", "x-upstream-ok": "yes" } });
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("keep-alive")).toBeNull();
    expect(res.headers.get("x-up-hop")).toBeNull();
    expect(res.headers.get("x-upstream-ok")).toBe("yes");
    expect((await json(res)).choices[0].message.content).toBe("hello from A");
  });

  test("upstream redirects are never followed nor passed back: 502 upstream_redirect", async () => {
    const r = await route();
    const other = await startFakeUpstream("OTHER");
    a.next({ status: 302, headers: { location: `${other.url}/chat/completions` }, body: "" });
    const res = await fetch(`${r.url}/v1/chat/completions`, { method: "POST", redirect: "manual", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(chatBody()) });
    expect(res.status).toBe(502);
    expect(res.headers.get("location")).toBeNull();
    expect((await json(res)).error.code).toBe("upstream_redirect");
    expect(other.received.length).toBe(0);
    other.stop();
  });

  test("body fields naming other hosts are ignored", async () => {
    const r = await route();
    const res = await r.post("/v1/chat/completions", chatBody({ api_base: "http://127.0.0.9:1/v1", base_url: "http://127.0.0.9:1/v1" }));
    expect(res.status).toBe(200);
    expect(a.received.length).toBe(1);
  });

  test("bad input: invalid JSON 400, too large 413 (declared or chunked), unknown path 404 — upstream untouched", async () => {
    const r = await route({ maxBodyBytes: 1000 });
    let res = await r.post("/v1/chat/completions", "{not json");
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({ code: "invalid_json", type: "invalid_request_error", param: null });
    res = await r.post("/v1/chat/completions", { model: "m", pad: "x".repeat(2000) });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe("request_too_large");
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode("x".repeat(400)));
        c.close();
      },
    });
    res = await fetch(`${r.url}/v1/chat/completions`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: chunked });
    expect(res.status).toBe(413);
    res = await fetch(`${r.url}/nope`, { headers: auth });
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("not_found");
    expect(a.received.length).toBe(0);
    // Accepted requests are logged even when refused; the unknown path is not a proxied request.
    expect((await r.rows()).map((x) => x.status)).toEqual([400, 413, 413]);
    // A chunked body within the limit goes upstream whole, and is logged.
    const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "chunked hello" }] });
    const parts = new ReadableStream({
      start(c) {
        for (let i = 0; i < body.length; i += 16) c.enqueue(new TextEncoder().encode(body.slice(i, i + 16)));
        c.close();
      },
    });
    res = await fetch(`${r.url}/v1/chat/completions`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: parts });
    expect(res.status).toBe(200);
    expect(a.received.map((q) => q.body)).toEqual([body]);
    expect((await r.rows()).at(-1)).toMatchObject({ status: 200, model: "m", requestBody: body });
  });

  test("client IP: TCP peer, or the rightmost untrusted X-Forwarded-For hop from a trusted proxy", async () => {
    const plain = await route();
    await plain.post("/v1/chat/completions", chatBody(), { "x-forwarded-for": "1.2.3.4" });
    expect((await plain.rows()).at(-1)!.clientIp).toBe("127.0.0.1");
    const trusting = await route({ trustProxy: ["127.0.0.0/8", "10.0.0.0/8"] });
    await trusting.post("/v1/chat/completions", chatBody(), { "x-forwarded-for": "9.9.9.9, 1.2.3.4, 10.0.0.5" });
    expect((await trusting.rows()).at(-1)!.clientIp).toBe("1.2.3.4");
  });

  test("noauth, and fail-closed when no client key is configured", async () => {
    const open = await route({ noauth: true });
    expect((await fetch(`${open.url}/v1/models`)).status).toBe(200);
    const closed = await suite.route([{ name: "a", sk: "k", endpoint: a.url }], { config: { authorization: [] } });
    const res = await fetch(`${closed.url}/v1/models`, { headers: { authorization: "Bearer anything" } });
    expect(res.status).toBe(401);
    expect((await json(res)).error.message).toContain("no client key is configured");
  });

  test("secrets never reach log rows, error bodies, metrics or stderr", async () => {
    const lines: string[] = [];
    const r = await route({ logger: createLogger("debug", (l) => lines.push(l)), config: { admin_authorization: ADMIN_KEY } });
    a.next({ status: 401, body: { error: { message: `Incorrect API key provided: ${SECRET_UP}`, code: "invalid_api_key" } } });
    const bodies = [await (await r.post("/v1/chat/completions", chatBody())).text()];
    a.next({ status: 500, body: `upstream trace with key ${SECRET_UP}` });
    bodies.push(await (await r.post("/v1/chat/completions", chatBody())).text());
    bodies.push(await (await r.post("/v1/chat/completions", chatBody({ stream: true }))).text());
    bodies.push(await (await fetch(`${r.url}/metrics`)).text());
    bodies.push(await (await fetch(`${r.url}/v1/status`, { headers: auth })).text());
    bodies.push(await (await fetch(`${r.url}/v1/status`, { headers: admin })).text());
    bodies.push(await (await fetch(`${r.url}/admin/upstreams`, { headers: admin })).text());
    const rows = JSON.stringify(await r.rows());
    for (const text of [...bodies, rows, lines.join("")]) {
      expect(text).not.toContain("SENTINEL");
      expect(text).not.toContain(CLIENT_KEY);
    }
  });
});

describe("local endpoints", () => {
  test("/health, /metrics and /v1/metrics", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url, models: ["gpt-4o-mini"] }]);
    await r.post("/v1/chat/completions", chatBody());
    expect(await json(await fetch(`${r.url}/health`))).toMatchObject({ status: "ok", store: { state: "healthy", last_error: null } });
    for (const path of ["/metrics", "/v1/metrics"]) {
      const text = await (await fetch(`${r.url}${path}`)).text();
      expect(text).toContain('route_requests_total{upstream="a",model="gpt-4o-mini",status_class="2xx"} 1');
      expect(text).toContain('route_upstream_attempts_total{upstream="a",outcome="ok"} 1');
      expect(text).toContain("route_request_duration_seconds_bucket");
      expect(text).toContain('route_upstream_up{upstream="a"} 1');
      expect(text).toContain("route_inflight_requests 0");
    }
  });

  test("/v1/status: per-upstream order, availability and recent stats (authenticated)", async () => {
    const r = await route({ config: { admin_authorization: ADMIN_KEY } });
    await r.post("/v1/chat/completions", chatBody());
    expect((await fetch(`${r.url}/v1/status`)).status).toBe(401);
    const body = await json(await fetch(`${r.url}/v1/status`, { headers: admin }));
    expect(body.apis[0]).toMatchObject({ order: 1, name: "a", endpoint: a.url, enabled: true, available: true, success_rate: 1, requests: 1, usage: { rpm: 1, rpd: 1 } });
  });

  test("admin API: list masked, add applies to the next request, file-managed upstreams refused", async () => {
    const r = await route({ config: { admin_authorization: ADMIN_KEY } });
    const auth = admin;
    const b = await startFakeUpstream("B");
    const list = await json(await fetch(`${r.url}/admin/upstreams`, { headers: auth }));
    expect(list).toEqual([expect.objectContaining({ ID: 1, Name: "a", SK: `****${SECRET_UP.slice(-4)}`, Endpoint: a.url, Source: "file" })]);

    const add = await fetch(`${r.url}/admin/upstreams`, { method: "POST", headers: auth, body: JSON.stringify({ SK: "sk-b-0000000000", Endpoint: b.url }) });
    expect(await json(add)).toMatchObject({ message: "success", ID: 2 });
    const del = await fetch(`${r.url}/admin/upstreams/1`, { method: "DELETE", headers: auth });
    expect(del.status).toBe(409);
    expect((await json(del)).error.code).toBe("file_managed");

    // Disable the file upstream? Not through the admin API: instead make it fail and see B take over.
    a.next({ status: 500 });
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.headers.get("x-route-attempts")).toBe("a=http_5xx, #2=ok");

    const put = await fetch(`${r.url}/admin/upstreams/2`, { method: "PUT", headers: auth, body: JSON.stringify({ Name: "b", Enabled: false }) });
    expect((await json(put)).upstream).toMatchObject({ Name: "b", Enabled: false, SK: "****0000" });
    a.next({ status: 500 });
    expect((await r.post("/v1/chat/completions", chatBody())).headers.get("x-route-attempts")).toBe("a=http_5xx");
    expect((await fetch(`${r.url}/admin/upstreams/2`, { method: "DELETE", headers: auth })).status).toBe(200);
    expect((await json(await fetch(`${r.url}/admin/upstreams`, { headers: auth }))).length).toBe(1);
    const bad = await fetch(`${r.url}/admin/upstreams`, { method: "POST", headers: auth, body: JSON.stringify({ SK: "x", Endpoint: "ftp://nope" }) });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toContain("endpoint");
    b.stop();
  });
});
