// Bodies arrive as sent (issue 12): when Route must edit a body (model_mapping, stream usage) only
// those members change, byte for byte; a JSON body with another content type is still routed by its
// model; an upstream's redirect is that upstream's failure, never followed and never passed on.
import { beforeAll, describe, expect, test } from "bun:test";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, json, type Route } from "./harness.ts";
import { e2eSuite } from "./suite.ts";

const suite = e2eSuite("A", "B", "C");
let a: FakeUpstream;
let b: FakeUpstream;
let c: FakeUpstream;
beforeAll(() => void ([a, b, c] = suite.upstreams));

const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p)] : p)));
const same = (x: Uint8Array, y: Uint8Array) => Buffer.from(x).toString("latin1") === Buffer.from(y).toString("latin1");

/** POSTs raw bytes; `type` null sends no Content-Type at all. */
const send = (r: Route, body: Uint8Array, type: string | null = "application/json") =>
  fetch(`${r.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${CLIENT_KEY}`, ...(type ? { "content-type": type } : {}) }, body });

const mapped = () => suite.route([{ name: "a", endpoint: a.url, models: ["alias"], model_mapping: { alias: "real-model" } }]);

describe("edited bodies keep every other byte", () => {
  test("model_mapping: big integers, 1e999, whitespace and key order arrive as sent", async () => {
    const r = await mapped();
    const head = '{\n  "seed": 12345678901234567891,\t"x" : 1e999, "messages":[{"role":"user","content":"hi \\u00e9"}],\n  "model" :  ';
    const res = await send(r, bytes(head, '"alias"', " }\n"));
    expect(res.status).toBe(200);
    expect(a.received[0]!.body).toBe(`${head}"real-model" }\n`);
  });

  test("streamed: stream_options added; invalid UTF-8 inside strings stays as sent", async () => {
    const r = await mapped();
    const body = bytes('{"model":"alias","stream":true,"messages":[{"role":"user","content":"', [0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80], '"}]}');
    const res = await send(r, body);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("data: [DONE]");
    const want = bytes('{"model":"real-model","stream":true,"messages":[{"role":"user","content":"', [0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80], '"}],"stream_options":{"include_usage":true}}');
    expect(same(a.received[0]!.bytes, want)).toBe(true);
  });

  test("streamed: the client's stream_options keeps its other members; only include_usage is added", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url }]);
    const res = await send(r, bytes('{"model":"m","stream":true,"stream_options":{ "x_vendor" : 12345678901234567891 },"n":1}'));
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(a.received[0]!.body).toBe('{"model":"m","stream":true,"stream_options":{ "x_vendor" : 12345678901234567891,"include_usage":true },"n":1}');
  });

  test("deeply nested streamed and mapped body: delivered exactly, answered, logged", async () => {
    const r = await mapped();
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    const res = await send(r, bytes(`{"model":"alias","stream":true,"messages":[{"role":"user","content":"hi"}],"x":${deep}}`));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("data: [DONE]");
    expect(a.received[0]!.body).toBe(`{"model":"real-model","stream":true,"messages":[{"role":"user","content":"hi"}],"x":${deep},"stream_options":{"include_usage":true}}`);
    const rows = await r.rows();
    expect(rows.map((x) => [x.status, x.model, x.upstreamModel])).toEqual([[200, "alias", "real-model"]]);
  });

  test("200k nested arrays as the whole body: no 500, forwarded as sent, one row", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url }]);
    const body = bytes(`${"[".repeat(200_000)}${"]".repeat(200_000)}`);
    const res = await send(r, body);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(same(a.received[0]!.bytes, body)).toBe(true);
    expect((await r.rows()).map((x) => x.status)).toEqual([200]);
  });

  test("what cannot be edited exactly is refused with 400 before any upstream is called", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url }]);
    const res = await send(r, bytes('{"model":"m","stream":true,"stream_options":"yes"}'));
    expect(res.status).toBe(400);
    expect((await json(res)).error).toEqual({ message: "stream_options must be an object or null", type: "invalid_request_error", param: null, code: "invalid_request" });
    expect(a.received.length).toBe(0);
    expect((await r.rows()).map((x) => [x.status, x.errorCode])).toEqual([[400, "invalid_request"]]);
  });
});

describe("JSON bodies with another content type", () => {
  const served = () => suite.route([{ name: "a", endpoint: a.url, models: ["gpt-a"] }, { name: "b", endpoint: b.url, models: ["gpt-b"] }]);

  test("text/plain naming a model served nowhere: 404 model_not_found, no upstream called", async () => {
    const r = await served();
    const res = await send(r, bytes('{"model":"nowhere","messages":[]}'), "text/plain");
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe("model_not_found");
    expect(a.received.length + b.received.length).toBe(0);
  });

  test("no content type: routed by its model; bytes and (missing) content type forwarded unchanged; the row has the model", async () => {
    const r = await served();
    const body = bytes(' {"model":"gpt-b","messages":[{"role":"user","content":"hi"}],"seed":12345678901234567891}');
    const res = await send(r, body, null);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-route-upstream")).toBe("b");
    await res.arrayBuffer();
    expect(a.received.length).toBe(0);
    expect(same(b.received[0]!.bytes, body)).toBe(true);
    expect(b.received[0]!.headers["content-type"]).toBeUndefined();
    const [row] = await r.rows();
    expect([row!.model, row!.upstreamName]).toEqual(["gpt-b", "b"]);
  });
});

describe("upstream redirects", () => {
  const redirectTo = (target: FakeUpstream) => ({ status: 302, headers: { location: `${target.url}/chat/completions` } });

  test("a 302 is the upstream's failure: not followed, failover to the next, health counts it", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url }, { name: "b", endpoint: b.url }], { config: { health: { window: 2, min_failures: 2, failure_ratio: 0.5, cooldown: "1h" } } });
    a.setDefault(redirectTo(c));
    for (let i = 0; i < 2; i++) {
      const res = await send(r, bytes('{"model":"m","messages":[]}'));
      expect([res.status, res.headers.get("x-route-attempts"), res.headers.get("location")]).toEqual([200, "a=redirect, b=ok", null]);
      expect((await json(res)).choices[0].message.content).toBe("hello from B");
    }
    expect(c.received.length).toBe(0);
    const status = await json(await fetch(`${r.url}/v1/status`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } }));
    expect(status.apis.find((x: any) => x.name === "a").health.state).toBe("cooling");
    const rows = await r.rows();
    expect(rows.map((x) => x.attempts.map((t) => [t.outcome, t.status]))).toEqual([[["redirect", 302], ["ok", 200]], [["redirect", 302], ["ok", 200]]]);
  });

  test("the only upstream redirects (307): 502 upstream_redirect, the Location never reaches the client", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url }]);
    a.next({ ...redirectTo(c), status: 307 });
    const res = await send(r, bytes('{"model":"m","stream":true,"messages":[]}'));
    expect(res.status).toBe(502);
    expect(res.headers.get("location")).toBeNull();
    const text = await res.text();
    expect(text).not.toContain(c.url);
    expect(JSON.parse(text).error).toMatchObject({ type: "server_error", code: "upstream_redirect" });
    expect(c.received.length).toBe(0);
    expect((await r.rows()).map((x) => [x.status, x.errorCode])).toEqual([[502, "upstream_redirect"]]);
  });
});
