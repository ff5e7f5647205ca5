// Channels against real local HTTP servers standing in for Feishu, Matrix and a webhook receiver;
// grouping and caps with an injected clock.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { buildChannels } from "./build.ts";
import { feishuSign } from "./channels/feishu.ts";
import type { NotifyEvent } from "./events.ts";
import { createGrouper, createHourlyCap } from "./grouping.ts";
import { createNotifier, type Outcome } from "./notifier.ts";
import { notifySchema } from "./schema.ts";

interface Hit {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
}

let server: Server<undefined>;
const hits: Hit[] = [];
let answer: (path: string) => Response | Promise<Response> = () => Response.json({ code: 0, msg: "success" });
let base = "";
const waiters: (() => void)[] = [];
const nextHit = () => new Promise<void>((r) => waiters.push(r));

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      hits.push({ method: req.method, path: url.pathname, headers, body: await req.json().catch(() => null) });
      for (const w of waiters.splice(0)) w();
      return answer(url.pathname);
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

const event = (over: Partial<NotifyEvent> = {}): NotifyEvent => ({
  type: "request_failed",
  summary: "all 2 upstreams failed: a (answered 500), b (no response within 5000 ms)",
  detail: { status: 502, model: "gpt-4o-mini", request_id: "r1" },
  at: Date.UTC(2026, 10, 21, 12, 0, 0),
  ...over,
});

function setup(cfg: unknown, over: Partial<Parameters<typeof createNotifier>[0]> = {}) {
  let t = Date.UTC(2026, 10, 21, 12, 0, 0);
  const outcomes: [string, Outcome][] = [];
  const channels = buildChannels(notifySchema.parse(cfg), fetch, () => t);
  const n = createNotifier({ channels, host: "gw1", autoTick: false, now: () => t, sleep: async () => {}, onOutcome: (c, o) => outcomes.push([c, o]), ...over });
  return { n, outcomes, advance: (ms: number) => (t += ms), now: () => t };
}

describe("channels send exactly what each service expects", () => {
  test("Feishu: text message with a valid signature", async () => {
    hits.length = 0;
    const { n, now } = setup({ feishu: { webhook: `${base}/open-apis/bot/v2/hook/abc`, secret: "s3cret" } });
    n.emit(event());
    await n.close();
    const h = hits[0]!;
    expect(h.method).toBe("POST");
    expect(h.path).toBe("/open-apis/bot/v2/hook/abc");
    expect(h.headers["content-type"]).toBe("application/json");
    expect(h.body.msg_type).toBe("text");
    expect(h.body.content.text).toStartWith("[Route@gw1] Request failed on every upstream\nall 2 upstreams failed");
    const ts = Math.floor(now() / 1000);
    expect(h.body.timestamp).toBe(String(ts));
    expect(h.body.sign).toBe(feishuSign(ts, "s3cret"));
    // Feishu's algorithm: HMAC-SHA256 keyed by "timestamp\nsecret" over an empty message, base64.
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(`${ts}\ns3cret`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    expect(h.body.sign).toBe(Buffer.from(await crypto.subtle.sign("HMAC", key, new Uint8Array(0))).toString("base64"));
  });

  test("Matrix: PUT m.room.message with a unique transaction id per message", async () => {
    hits.length = 0;
    const { n } = setup({ matrix: { homeserver: `${base}/`, token: "syt_token", room: "!room:example.org" } });
    n.emit(event());
    n.emit(event({ type: "upstream_auth", upstream: "a", summary: "a answered 401" }));
    await n.close();
    expect(hits.length).toBe(2);
    const [one, two] = hits as [Hit, Hit];
    expect(one.method).toBe("PUT");
    expect(one.path).toMatch(/^\/_matrix\/client\/v3\/rooms\/!room%3Aexample\.org\/send\/m\.room\.message\/route-[\w-]+$/);
    expect(one.headers.authorization).toBe("Bearer syt_token");
    expect(one.body).toEqual({ msgtype: "m.text", body: expect.stringContaining("Request failed on every upstream") });
    expect(one.path).not.toBe(two.path);
  });

  test("Matrix retries keep the transaction id; 5xx is retried, 4xx is not", async () => {
    hits.length = 0;
    let calls = 0;
    answer = () => (++calls < 3 ? new Response("busy", { status: 503 }) : Response.json({ event_id: "$e" }));
    const { n, outcomes } = setup({ matrix: { homeserver: base, token: "t", room: "!r:x" } });
    n.emit(event());
    await n.close();
    expect(hits.length).toBe(3);
    expect(new Set(hits.map((h) => h.path)).size).toBe(1);
    expect(outcomes).toEqual([["matrix", "sent"]]);
    hits.length = 0;
    answer = () => new Response("forbidden", { status: 403 });
    n.emit(event({ type: "upstream_down", upstream: "z" }));
    await n.close();
    expect(hits.length).toBe(1);
    expect(outcomes.at(-1)).toEqual(["matrix", "failed"]);
    answer = () => Response.json({ code: 0 });
  });

  test("webhook: JSON event with Slack-compatible text and bearer token", async () => {
    hits.length = 0;
    const { n } = setup({ webhook: { url: `${base}/hook`, token: "wh-token" } });
    n.emit(event({ upstream: "a" }));
    await n.close();
    const h = hits[0]!;
    expect(h.headers.authorization).toBe("Bearer wh-token");
    expect(h.body).toMatchObject({ type: "request_failed", upstream: "a", more: 0, detail: { status: 502 }, at: "2026-11-21T12:00:00.000Z" });
    expect(h.body.text).toContain("[Route@gw1] Request failed on every upstream: a");
  });

  test("Feishu's 200 with a non-zero code is a failure; test() reports the channel's answer", async () => {
    answer = () => Response.json({ code: 19021, msg: "sign match fail or timestamp is not within one hour from current time" });
    const { n } = setup({ feishu: { webhook: `${base}/f`, secret: "x" }, webhook: { url: `${base}/w` } });
    const results = await n.test();
    expect(results).toEqual([
      { channel: "feishu", kind: "feishu", ok: false, status: 200, detail: expect.stringContaining("code 19021") },
      { channel: "webhook", kind: "webhook", ok: true, status: 200, detail: expect.any(String) },
    ]);
    answer = () => Response.json({ code: 0 });
  });

  test("event filters per channel", async () => {
    hits.length = 0;
    const { n } = setup({ webhook: [{ url: `${base}/only-auth`, events: ["upstream_auth"] }, { url: `${base}/all` }] });
    n.emit(event());
    await n.close();
    expect(hits.map((h) => h.path)).toEqual(["/all"]);
  });
});

describe("no storms", () => {
  test("grouping: first at once, the rest counted into one follow-up per window", async () => {
    hits.length = 0;
    const { n, advance } = setup({ webhook: { url: `${base}/w` }, window: "5m" });
    for (let i = 0; i < 13; i++) n.emit(event({ upstream: "a" }));
    n.emit(event({ upstream: "b" })); // another upstream: its own group
    await n.close();
    expect(hits.length).toBe(2);
    advance(299_000);
    n.tick();
    expect(hits.length).toBe(2);
    advance(1000);
    n.tick();
    await n.close();
    expect(hits.length).toBe(3);
    expect(hits[2]!.body.more).toBe(12);
    expect(hits[2]!.body.text).toContain("(12 more in 5 min)");
    advance(300_000);
    n.tick(); // a quiet window closes without a message
    await n.close();
    expect(hits.length).toBe(3);
  });

  test("hourly cap per channel", () => {
    let t = 0;
    const cap = createHourlyCap(2, () => t);
    expect([cap.take(), cap.take(), cap.take()]).toEqual([true, true, false]);
    t = 3_600_000;
    expect(cap.take()).toBe(true);
  });

  test("grouper is keyed by type and upstream", () => {
    let t = 0;
    const g = createGrouper(1000, () => t);
    expect(g.offer(event({ upstream: "a" }))).toBe(true);
    expect(g.offer(event({ upstream: "a" }))).toBe(false);
    expect(g.offer(event({ type: "upstream_auth", upstream: "a" }))).toBe(true);
    t = 1000;
    expect(g.due()).toEqual([{ event: expect.objectContaining({ upstream: "a" }), more: 1 }]);
  });

  test("key events group per key: two keys' alerts both go out at once; the key is named in title and webhook body", async () => {
    hits.length = 0;
    const { n } = setup({ webhook: { url: `${base}/keys`, events: ["key_exhausted"] } });
    n.emit({ type: "key_exhausted", key: "alice", summary: "key alice has spent $5.00", at: 0 });
    n.emit({ type: "key_exhausted", key: "bob", summary: "key bob has spent $5.00", at: 0 });
    n.emit({ type: "key_soft_budget", key: "carol", summary: "filtered out", at: 0 });
    await n.close();
    expect(hits.map((h) => [h.body.type, h.body.key])).toEqual([
      ["key_exhausted", "alice"],
      ["key_exhausted", "bob"],
    ]);
    expect(hits[0]!.body.text).toStartWith("[Route@gw1] Client key exhausted its budget: alice\n");
  });

  test("a full queue drops and counts instead of growing", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    answer = async () => {
      await gate;
      return Response.json({});
    };
    const { n, outcomes } = setup({ webhook: { url: `${base}/slow` }, hourly_cap: 100 }, { queueMax: 2 });
    const arrived = nextHit();
    for (let i = 0; i < 5; i++) n.emit(event({ upstream: `u${i}` }));
    await arrived;
    expect(outcomes.filter(([, o]) => o === "dropped").length).toBe(2);
    release();
    await n.close();
    expect(outcomes.filter(([, o]) => o === "sent").length).toBe(3);
    answer = () => Response.json({ code: 0 });
  });
});
