// Limits that hold (issue 6): RPM/RPD/TPM enforced with Retry-After, counters that survive a
// restart, and stream usage that is always metered (injected, hidden, or estimated).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody, json, type Route } from "./harness.ts";
import { e2eSuite } from "./suite.ts";

const suite = e2eSuite("A", "B");
let a: FakeUpstream;
let b: FakeUpstream;
let dir: string;
beforeAll(() => {
  [a, b] = suite.upstreams;
  dir = mkdtempSync(join(tmpdir(), "route-limits-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const route = suite.route;

const status = async (r: Route) => json(await fetch(`${r.url}/v1/status`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } }));

/** The raw SSE text a client receives. */
async function rawStream(r: Route, body: object): Promise<string> {
  const res = await r.post("/v1/chat/completions", body);
  expect(res.status).toBe(200);
  return res.text();
}

describe("limits", () => {
  test("RPM 5: the sixth request gets 429 rate_limit_exceeded with Retry-After; usage is visible everywhere", async () => {
    const r = await route([{ name: "a", endpoint: a.url, rpm: 5 }]);
    for (let i = 0; i < 5; i++) expect((await r.post("/v1/chat/completions", chatBody())).status).toBe(200);
    const sixth = await r.post("/v1/chat/completions", chatBody());
    expect(sixth.status).toBe(429);
    const retry = Number(sixth.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect((await json(sixth)).error.code).toBe("rate_limit_exceeded");
    expect(a.received.length).toBe(5);

    const api = (await status(r)).apis[0];
    expect(api.limits).toEqual({ rpm: 5, rpd: -1, tpm: -1 });
    expect(api.usage).toMatchObject({ rpm: 5, rpd: 5 });
    expect(api.remaining).toEqual({ rpm: 0, rpd: null, tpm: null });
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toContain('route_upstream_limit_remaining{upstream="a",limit="rpm"} 0');
  });

  test("a limited upstream is skipped while another serves; a limit of 0 means never used", async () => {
    const r = await route([
      { name: "a", endpoint: a.url, rpm: 1 },
      { name: "z", endpoint: b.url, rpd: 0 },
      { name: "b", endpoint: b.url },
    ]);
    const first = await r.post("/v1/chat/completions", chatBody());
    expect(first.headers.get("x-route-plan")).toBe("a, b");
    const second = await r.post("/v1/chat/completions", chatBody());
    expect([second.status, second.headers.get("x-route-upstream"), second.headers.get("x-route-plan")]).toEqual([200, "b", "b"]);
  });

  test("counters survive a restart (same SQLite file)", async () => {
    const db = join(dir, "restart.sqlite");
    const ups = [{ name: "a", endpoint: a.url, rpm: 3, rpd: 10 }];
    const first = await route(ups, { dbPath: db });
    for (let i = 0; i < 3; i++) expect((await first.post("/v1/chat/completions", chatBody())).status).toBe(200);
    await first.stop(); // flushes the counters
    const second = await route(ups, { dbPath: db });
    expect((await second.post("/v1/chat/completions", chatBody())).status).toBe(429);
    expect((await status(second)).apis[0].usage).toMatchObject({ rpm: 3, rpd: 3 });
    expect(a.received.length).toBe(3);
  });

  test("TPM counts real usage once known", async () => {
    const r = await route([{ name: "a", endpoint: a.url, tpm: 20 }]); // the fake reports 12 tokens a reply
    for (let i = 0; i < 2; i++) {
      expect((await r.post("/v1/chat/completions", chatBody())).status).toBe(200);
      await r.daemon.writer.drain(); // the correction happens when the log row is built
    }
    expect((await status(r)).apis[0].usage.tpm).toBe(24);
    expect((await r.post("/v1/chat/completions", chatBody())).status).toBe(429);
  });
});

suite.eachDelivery(() => describe("stream usage", () => {
  test("injected upstream and hidden from a client that did not ask; kept for one that did", async () => {
    const r = await route([{ name: "a", endpoint: a.url }]);
    const hidden = await rawStream(r, chatBody({ stream: true }));
    expect(a.received[0]!.json.stream_options).toEqual({ include_usage: true });
    expect(hidden).not.toContain('"usage"');
    expect(hidden).toContain("w2");
    expect(hidden).toContain("[DONE]");

    const asked = await rawStream(r, chatBody({ stream: true, stream_options: { include_usage: true } }));
    expect(asked).toContain('"usage"');
    // The SDK sees the same stream either way.
    const stream = await r.client.chat.completions.create(chatBody({ stream: true }));
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);

    const rows = await r.rows();
    expect(rows.map((x) => [x.promptTokens, x.completionTokens, x.tokensEstimated])).toEqual([
      [5, 3, false],
      [5, 3, false],
      [5, 3, false],
    ]);
  });

  test("the whole stream in one chunk: the usage event is still removed", async () => {
    const r = await route([{ name: "a", endpoint: a.url }]);
    a.next({ stream: { chunks: 1 } });
    const text = await rawStream(r, chatBody({ stream: true }));
    expect(text).not.toContain('"usage"');
    expect(text).toContain("w0");
  });

  test("no usage from the upstream (or a stream cut short): tokens counted locally and marked estimated", async () => {
    const r = await route([{ name: "a", endpoint: a.url }]);
    a.next({ stream: { chunks: 4, noUsage: true } });
    await rawStream(r, chatBody({ stream: true }));
    // The reset comes once the client has seen two tokens (so the stream has committed).
    let release!: () => void;
    a.next({ stream: { chunks: 4, resetAfter: 2, holdBefore: { index: 2, until: new Promise<void>((res) => (release = res)) } } });
    const res = await r.post("/v1/chat/completions", chatBody({ stream: true }));
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("w1 ")) seen += new TextDecoder().decode((await reader.read()).value);
    release();
    while (!(await reader.read()).done);
    const [full, cut] = await r.rows();
    expect(full!.tokensEstimated).toBe(true);
    expect(full!.promptTokens).toBeGreaterThan(0);
    expect(full!.completionTokens).toBeGreaterThan(cut!.completionTokens!);
    expect(cut!.tokensEstimated).toBe(true);
    expect(cut!.errorCode).toBe("upstream_reset");
  });
}));
