import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { refusedUrl, startResetServer, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, json } from "./harness.ts";
import { e2eSuite } from "./suite.ts";

const suite = e2eSuite("A", "B");
let a: FakeUpstream;
let b: FakeUpstream;
beforeAll(() => void ([a, b] = suite.upstreams));

const route = (ups: { name: string; endpoint: string; timeout?: string; stream_timeout?: string; sk?: string }[]) => suite.route(ups);

describe("ordered failover", () => {
  test("connect refused: next upstream serves, attempts are reported", async () => {
    const r = await route([{ name: "dead", endpoint: await refusedUrl() }, { name: "b", endpoint: b.url }]);
    const { data, response } = await r.client.chat.completions.create(chatBody()).withResponse();
    expect(data.choices[0]!.message.content).toBe("hello from B");
    expect(response.headers.get("x-route-upstream")).toBe("b");
    expect(response.headers.get("x-route-attempts")).toBe("dead=connect_error, b=ok");
    const row = (await r.rows()).at(-1)!;
    expect(row.attempts.map((x) => x.outcome)).toEqual(["connect_error", "ok"]);
    expect(row.upstreamName).toBe("b");
  });

  test("reset before headers: next upstream serves", async () => {
    const reset = startResetServer();
    const r = await route([{ name: "rst", endpoint: reset.url }, { name: "b", endpoint: b.url }]);
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(200);
    expect(res.headers.get("x-route-attempts")).toBe("rst=reset, b=ok");
    reset.stop();
  });

  test("timeout before the response: next upstream serves, the slow one sees the abort", async () => {
    const r = await route([{ name: "a", endpoint: a.url, timeout: "150ms" }, { name: "b", endpoint: b.url }]);
    a.next({ hang: true });
    const aborted = a.nextAbort();
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(200);
    expect(res.headers.get("x-route-attempts")).toBe("a=timeout, b=ok");
    await aborted;
  });

  test("429 and 5xx fail over; each upstream is tried once", async () => {
    const r = await route([{ name: "a", endpoint: a.url }, { name: "b", endpoint: b.url }]);
    a.next({ status: 429 });
    let res = await r.post("/v1/chat/completions", chatBody());
    expect(res.headers.get("x-route-attempts")).toBe("a=http_429, b=ok");
    a.next({ status: 503 });
    res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(200);
    expect(res.headers.get("x-route-attempts")).toBe("a=http_5xx, b=ok");
    expect(a.received.length).toBe(2);
    expect(b.received.length).toBe(2);
  });

  test("other 4xx is returned as the upstream sent it, not retried, secrets redacted", async () => {
    const r = await route([{ name: "a", endpoint: a.url, sk: "sk-proj-abcdef0123456789" }, { name: "b", endpoint: b.url }]);
    a.next({ status: 401, body: { error: { message: "Incorrect API key provided: sk-proj-abcdef0123456789.", type: "invalid_request_error", code: "invalid_api_key" } } });
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).not.toContain("abcdef0123456789");
    expect(JSON.parse(text).error.code).toBe("invalid_api_key");
    expect(b.received.length).toBe(0);
    a.next({ status: 422, body: { error: { message: "unprocessable", type: "invalid_request_error", code: null } } });
    expect((await r.post("/v1/chat/completions", chatBody())).status).toBe(422);
    expect(b.received.length).toBe(0);
  });

  test("every upstream failing: last 5xx answer, 502 or 504, upstreams named", async () => {
    const r = await route([{ name: "a", endpoint: a.url, timeout: "100ms" }, { name: "b", endpoint: b.url, timeout: "100ms" }]);
    a.next({ status: 500 });
    b.next({ status: 502, body: "<html>bad gateway</html>", headers: { "content-type": "text/html" } });
    let res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(502);
    let body = await json(res);
    expect(body.error.code).toBe("upstream_error");
    expect(body.error.message).toBe("all 2 upstreams failed: a (answered 500), b (answered 502)");

    a.next({ hang: true });
    b.next({ hang: true });
    res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(504);
    body = await json(res);
    expect(body.error).toMatchObject({ code: "upstream_timeout", type: "server_error" });
    expect(body.error.message).toContain("a (no response within 100 ms)");

    const dead = await route([{ name: "x", endpoint: await refusedUrl() }]);
    const err = await dead.client.chat.completions.create(chatBody()).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(502);
    expect(err.code).toBe("upstream_error");
  });

  test("last upstream answers 429 with an OpenAI error: its status and body reach the client", async () => {
    const r = await route([{ name: "a", endpoint: a.url }, { name: "b", endpoint: b.url }]);
    a.next({ status: 500 });
    b.next({ status: 429, headers: { "retry-after": "3" }, body: { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } } });
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect((await json(res)).error.message).toBe("Rate limit reached");
    const row = (await r.rows()).at(-1)!;
    expect(row.status).toBe(429);
    expect(row.errorMessage).toContain("all 2 upstreams failed");
  });

  test("no upstream, or every upstream disabled: 503 no_upstream", async () => {
    const r = await route([]);
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(503);
    expect((await json(res)).error.code).toBe("no_upstream");
    const d = await suite.route([{ name: "off", sk: "k", endpoint: a.url, enabled: false }]);
    const res2 = await d.post("/v1/chat/completions", chatBody());
    expect(res2.status).toBe(503);
    expect((await json(res2)).error.message).toContain("disabled");
  });
});

suite.eachDelivery(() => describe("streams fail over until the first content event", () => {
  test("first-token timeout: the slow upstream is abandoned, the next one streams", async () => {
    const r = await route([{ name: "a", endpoint: a.url, stream_timeout: "150ms" }, { name: "b", endpoint: b.url }]);
    a.next({ stream: { ttftMs: 5000 } });
    const stream = await r.client.chat.completions.create(chatBody({ stream: true }));
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("w0 w1 w2 ");
    const row = (await r.rows()).at(-1)!;
    expect(row.attempts.map((x) => `${x.upstream}=${x.outcome}`)).toEqual(["a=timeout", "b=ok"]);
    expect(row.replyText).toBe("w0 w1 w2 ");
    expect(row.upstreamName).toBe("b");
  });

  test("in-band error event before content fails over", async () => {
    const r = await route([{ name: "a", endpoint: a.url }, { name: "b", endpoint: b.url }]);
    a.next({ stream: { errorBeforeContent: true } });
    const res = await r.post("/v1/chat/completions", chatBody({ stream: true }));
    expect(res.headers.get("x-route-attempts")).toBe("a=stream_error, b=ok");
    expect(await res.text()).toContain("w2");
  });

  test("reset before content fails over; nothing of the first upstream reaches the client", async () => {
    const r = await route([{ name: "a", endpoint: a.url }, { name: "b", endpoint: b.url }]);
    a.next({ stream: { resetAfter: 0 } });
    const res = await r.post("/v1/chat/completions", chatBody({ stream: true }));
    const text = await res.text();
    expect(res.headers.get("x-route-attempts")).toBe("a=reset, b=ok");
    expect(text).not.toContain("chatcmpl-A");
    expect(text).toContain("chatcmpl-B");
  });
}));
