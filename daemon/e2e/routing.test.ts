// Smart routing end to end (issue 6): per-upstream settings on the wire, model routing, mapping,
// strategies, limits and pinning, against three fake upstreams.
import { beforeAll, describe, expect, test } from "bun:test";
import type { FakeUpstream } from "./fake-upstream.ts";
import { chatBody, json } from "./harness.ts";
import { e2eSuite } from "./suite.ts";

const suite = e2eSuite("A", "B", "C");
let a: FakeUpstream;
let b: FakeUpstream;
let c: FakeUpstream;
beforeAll(() => void ([a, b, c] = suite.upstreams));

const route = (ups: Record<string, unknown>[], config: Record<string, unknown> = {}) => suite.route(ups, { config });

describe("per-upstream settings", () => {
  test("azure: deployment URL, api-version, api-key header, extra headers; none leak to the next upstream", async () => {
    const r = await route([
      { name: "az", type: "azure", endpoint: a.url.replace(/\/v1$/, ""), api_version: "2024-06-01", model_mapping: { "gpt-4o-mini": "mini-dep" }, headers: { "X-Team": "t1" } },
      { name: "b", endpoint: b.url },
    ]);
    a.next({ status: 503 });
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(200);
    const got = a.received[0]!;
    expect(got.path).toBe("/openai/deployments/mini-dep/chat/completions");
    expect(got.search).toBe("?api-version=2024-06-01");
    expect(got.headers["api-key"]).toBe("sk-az-secret-key");
    expect(got.headers.authorization).toBeUndefined();
    expect(got.headers["x-team"]).toBe("t1");
    const next = b.received[0]!;
    expect(next.headers.authorization).toBe("Bearer sk-b-secret-key");
    expect(next.headers["api-key"]).toBeUndefined();
    expect(next.headers["x-team"]).toBeUndefined();
  });
});

describe("choosing an upstream", () => {
  const three = () => [
    { name: "a", endpoint: a.url, models: ["gpt-4o*"] },
    { name: "b", endpoint: b.url, models: ["claude-*"], model_mapping: { sonnet: "claude-3-5-sonnet-latest" } },
    { name: "c", endpoint: c.url, models: ["llama-3"] },
  ];

  test("model routing picks the upstream that serves the model; the plan is in the header and the log", async () => {
    const r = await route(three());
    for (const [model, who] of [["gpt-4o-mini", "a"], ["claude-3-opus", "b"], ["llama-3", "c"]] as const) {
      const res = await r.post("/v1/chat/completions", chatBody({ model }));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-route-upstream")).toBe(who);
      expect(res.headers.get("x-route-plan")).toBe(who);
    }
    const rows = await r.rows();
    expect(rows.map((x) => x.plan)).toEqual([["a"], ["b"], ["c"]]);
  });

  test("mapping rewrites the body for that upstream; the log keeps both names", async () => {
    const r = await route(three());
    const res = await r.post("/v1/chat/completions", chatBody({ model: "sonnet" }));
    expect(res.status).toBe(200);
    expect(b.received[0]!.json.model).toBe("claude-3-5-sonnet-latest");
    expect(b.received[0]!.json.messages).toEqual([{ role: "user", content: "hi" }]);
    const row = (await r.rows()).at(-1)!;
    expect([row.model, row.upstreamModel]).toEqual(["sonnet", "claude-3-5-sonnet-latest"]);
  });

  test("a model nobody serves: 404 model_not_found listing what is available; /v1/models answers from config", async () => {
    const r = await route(three());
    const res = await r.post("/v1/chat/completions", chatBody({ model: "gemini-pro" }));
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body.error.code).toBe("model_not_found");
    expect(body.error.message).toContain("llama-3");
    expect(body.error.message).toContain("sonnet");
    const list = await r.client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(["llama-3", "sonnet"]); // globs are not advertised
    expect(a.received.length + b.received.length + c.received.length).toBe(0);
  });

  test("without declared models /v1/models is still forwarded", async () => {
    const r = await route([{ name: "a", endpoint: a.url }]);
    const list = await r.client.models.list();
    expect(list.data[0]!.owned_by).toBe("A");
  });

  test("weighted: 1,000 requests split by weight within tolerance", async () => {
    const r = await route(
      [
        { name: "a", endpoint: a.url, weight: 1 },
        { name: "b", endpoint: b.url, weight: 3 },
        { name: "c", endpoint: c.url, weight: 6 },
      ],
      { strategy: "weighted" },
    );
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++) {
      const res = await r.post("/v1/embeddings", { model: "e", input: "x" });
      counts[res.headers.get("x-route-upstream")!]!++;
      await res.arrayBuffer();
    }
    expect(counts.a! / 1000).toBeCloseTo(0.1, 1);
    expect(counts.b! / 1000).toBeCloseTo(0.3, 1);
    expect(counts.c! / 1000).toBeCloseTo(0.6, 1);
  });

  test("round-robin (per-model strategy) covers every upstream in turn; other models keep priority", async () => {
    const r = await route(
      [
        { name: "a", endpoint: a.url },
        { name: "b", endpoint: b.url },
        { name: "c", endpoint: c.url },
      ],
      { strategies: { "gpt-4o*": "round-robin" } },
    );
    const firsts: string[] = [];
    for (let i = 0; i < 6; i++) firsts.push((await r.post("/v1/chat/completions", chatBody({ model: "gpt-4o" }))).headers.get("x-route-upstream")!);
    expect(firsts).toEqual(["a", "b", "c", "a", "b", "c"]);
    const other = await r.post("/v1/chat/completions", chatBody({ model: "o1" }));
    expect(other.headers.get("x-route-plan")).toBe("a, b, c");
  });

  test("max_attempts caps the plan; never the same upstream twice", async () => {
    const r = await route(
      [
        { name: "a", endpoint: a.url },
        { name: "b", endpoint: b.url },
        { name: "c", endpoint: c.url },
      ],
      { max_attempts: 2 },
    );
    a.next({ status: 500 });
    b.next({ status: 500 });
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(500);
    expect(res.headers.get("x-route-attempts")).toBe("a=http_5xx, b=http_5xx");
    expect(c.received.length).toBe(0);
  });

  test("deadline: the overall budget cuts an attempt short and ends the failover", async () => {
    const r = await route([
      { name: "a", endpoint: a.url, timeout: "5s" },
      { name: "b", endpoint: b.url },
    ], { deadline: "200ms" });
    a.next({ hang: true });
    const t0 = performance.now();
    const res = await r.post("/v1/chat/completions", chatBody());
    expect(res.status).toBe(504);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect((await json(res)).error.message).toContain("deadline of 200 ms");
    expect(b.received.length).toBe(0);
  });

  test("pinning: <key>-<upstream> sends to that upstream only, without failover, when allowed", async () => {
    const ups = [
      { name: "a", endpoint: a.url },
      { name: "b", endpoint: b.url },
    ];
    const r = await route(ups, { allow_pinning: true });
    const pinned = await r.post("/v1/chat/completions", chatBody(), { authorization: "Bearer route-test-client-key-b" });
    expect(pinned.headers.get("x-route-upstream")).toBe("b");
    const byId = (await r.daemon.pool.all()).find((u) => u.name === "a")!.id;
    a.next({ status: 500 });
    const noFailover = await r.post("/v1/chat/completions", chatBody(), { authorization: `Bearer route-test-client-key-${byId}` });
    expect(noFailover.status).toBe(500);
    expect(noFailover.headers.get("x-route-attempts")).toBe("a=http_5xx");
    expect((await r.post("/v1/chat/completions", chatBody(), { authorization: "Bearer route-test-client-key-nope" })).status).toBe(401);
    const closed = await route(ups);
    expect((await closed.post("/v1/chat/completions", chatBody(), { authorization: "Bearer route-test-client-key-b" })).status).toBe(401);
  });
});
