// Client keys at the door, driven with the official openai SDK: who may call, from where, for which
// model and through which upstreams, at what rate; refusals in OpenAI's shapes; the shared
// `authorization` keys untouched.
import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody, json, type Route } from "./harness.ts";
import { e2eSuite, type RouteOptions } from "./suite.ts";
import { addKey, clientFor } from "./key-fixtures.ts";
import { testNetwork } from "./network.ts";

const suite = e2eSuite("A", "B");
let a: FakeUpstream, b: FakeUpstream;
beforeAll(() => void ([a, b] = suite.upstreams));

const route = (opts: RouteOptions = {}) =>
  suite.route(
    [
      { name: "a", endpoint: a.url, group: ["default"] },
      { name: "b", endpoint: b.url, group: ["vip"] },
    ],
    opts,
  );

const keyed = (r: Route, key: string, body: unknown = chatBody()) => fetch(`${r.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

describe("client keys", () => {
  test("a client key works with the SDK; its row names the key, never the secret; shared keys keep working", async () => {
    const r = await route();
    const secret = await addKey(r, "alice");
    const reply = await clientFor(r, secret).chat.completions.create(chatBody());
    expect(reply.choices[0]!.message.content).toBe("hello from A");
    expect((await r.client.chat.completions.create(chatBody())).choices[0]!.message.content).toBe("hello from A");
    const rows = await r.rows();
    expect(rows.map((x) => x.keyName)).toEqual(["alice", null]);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(a.received.at(-2)!.headers.authorization).toBe("Bearer sk-a-secret-key"); // the upstream's key, not the client's
  });

  test("unknown, disabled, expired: 401 invalid_api_key (AuthenticationError), on the very next request", async () => {
    let t = Date.parse("2026-11-29T12:00:00Z");
    const r = await route({ now: () => t });
    const secret = await addKey(r, "bob", { expiresAt: Date.parse("2026-11-30T00:00:00Z") });
    const c = clientFor(r, secret);
    await c.chat.completions.create(chatBody());
    await r.daemon.keys.setEnabled("bob", false);
    const err = await c.chat.completions.create(chatBody()).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.code).toBe("invalid_api_key");
    expect(err.message).toContain("key bob is disabled");
    await r.daemon.keys.setEnabled("bob", true);
    await c.chat.completions.create(chatBody());
    t = Date.parse("2026-11-30T00:00:01Z");
    expect((await c.chat.completions.create(chatBody()).catch((e) => e)).message).toContain("expired");
    await r.daemon.keys.remove("bob");
    const gone = await c.chat.completions.create(chatBody()).catch((e) => e);
    expect([gone.status, gone.code, gone.message]).toEqual([401, "invalid_api_key", "401 wrong authorization header"]);
  });

  test("rotation: the previous secret works until its grace ends, then is refused", async () => {
    let t = 1_000_000;
    const r = await route({ now: () => t });
    const old = await addKey(r, "carol");
    const fresh = (await r.daemon.keys.rotate("carol")).secret; // default grace: 1 h
    expect((await keyed(r, old)).status).toBe(200);
    expect((await keyed(r, fresh)).status).toBe(200);
    t += 3_600_000;
    const refused = await keyed(r, old);
    expect(refused.status).toBe(401);
    expect((await json(refused)).error.message).toContain("rotated");
    expect((await keyed(r, fresh)).status).toBe(200);
  });

  test("models: a key limited to gpt-4o* gets 403 model_not_allowed naming what it may use", async () => {
    const r = await route();
    const secret = await addKey(r, "dave", { models: ["gpt-4o*"] });
    const c = clientFor(r, secret);
    await c.chat.completions.create(chatBody({ model: "gpt-4o-mini" }));
    const err = await c.chat.completions.create(chatBody({ model: "o3" })).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.code).toBe("model_not_allowed");
    expect(err.message).toContain("gpt-4o*");
    expect(a.received.filter((x) => x.json?.model === "o3")).toHaveLength(0);
    expect((await r.rows()).at(-1)).toMatchObject({ status: 403, errorCode: "model_not_allowed", keyName: "dave" });
  });

  test("/v1/models lists only the models a key may use", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url, models: ["gpt-4o-mini", "o3", "text-embedding-3-small"] }]);
    const secret = await addKey(r, "lister", { models: ["gpt-4o*", "o3"] });
    const list = await clientFor(r, secret).models.list();
    expect(list.data.map((m) => m.id).sort()).toEqual(["gpt-4o-mini", "o3"]);
  });

  test("allow_ips: another address gets 403 ip_not_allowed", async () => {
    const r = await route();
    const ok = await addKey(r, "local", { allowIps: ["127.0.0.0/8"] });
    const far = await addKey(r, "far", { allowIps: ["10.0.0.0/8", "2001:db8::/32"] });
    expect((await keyed(r, ok)).status).toBe(200);
    const res = await keyed(r, far);
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe("ip_not_allowed");
  });

  test("groups: a key only reaches upstreams of its groups, and pins only within them", async () => {
    const r = await route();
    const vip = await addKey(r, "vip", { groups: ["vip"], allowPinning: true });
    const plain = await addKey(r, "plain", { groups: ["default"], allowPinning: true });
    expect((await json(await keyed(r, vip))).choices[0].message.content).toBe("hello from B");
    expect((await json(await keyed(r, plain))).choices[0].message.content).toBe("hello from A");
    expect((await keyed(r, `${vip}-b`)).status).toBe(200);
    const pinnedOut = await keyed(r, `${plain}-b`);
    expect(pinnedOut.status).toBe(403);
    expect((await json(pinnedOut)).error.code).toBe("upstream_not_allowed");
  });

  test("rpm and max_inflight: 429 rate_limit_exceeded with Retry-After, per key", async () => {
    const r = await route();
    const limited = await addKey(r, "rpm2", { rpm: 2 });
    const other = await addKey(r, "free");
    expect((await keyed(r, limited)).status).toBe(200);
    expect((await keyed(r, limited)).status).toBe(200);
    const third = await keyed(r, limited);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await json(third)).error.code).toBe("rate_limit_exceeded");
    expect((await keyed(r, other)).status).toBe(200);

    const one = await addKey(r, "one-at-a-time", { maxInflight: 1 });
    let release!: () => void;
    a.next({ stream: { chunks: 2, holdBefore: { index: 1, until: new Promise<void>((res) => (release = res)) } } });
    const first = await keyed(r, one, chatBody({ stream: true }));
    const second = await keyed(r, one);
    expect(second.status).toBe(429);
    release();
    await first.text();
    await r.daemon.pipeline.idle();
    expect((await keyed(r, one)).status).toBe(200); // released when the stream ended
  });

  test("standing: requests today count for every key; the secret is never in the registry's view", async () => {
    const r = await route();
    const secret = await addKey(r, "counted");
    for (let i = 0; i < 3; i++) await keyed(r, secret);
    const id = r.daemon.registry.all()[0]!.id;
    expect(r.daemon.registry.standing(id)).toMatchObject({ state: "active", usage: { rpd: 3 }, inflight: 0, remainingMicros: null });
    expect(JSON.stringify(r.daemon.registry.standing(id))).not.toContain(secret);
  });

  test("/v1/status accepts a client key like a shared one", async () => {
    const r = await route();
    const secret = await addKey(r, "status");
    expect((await fetch(`${r.url}/v1/status`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    expect((await fetch(`${r.url}/v1/status`, { headers: { authorization: `Bearer ${CLIENT_KEY}x` } })).status).toBe(401);
  });
});

describe("budgets", () => {
  // $1 per million output tokens and free input: one micro-dollar per completion token, so the
  // fake's fixed usage (7 completion tokens) costs exactly 7 µ$ and a max_tokens of 7 reserves 7 µ$.
  const priced = { config: { prices: { "gpt-4o*": { input: 0, output: 1 } } } };

  test("a budget that fits 10 requests admits exactly 10 of 50 concurrent ones; the rest get insufficient_quota", async () => {
    const r = await route(priced);
    const secret = await addKey(r, "ten", { budgetMicros: 70 });
    const c = clientFor(r, secret);
    const results = await Promise.all(Array.from({ length: 50 }, () => c.chat.completions.create(chatBody({ max_tokens: 7 })).then(() => "ok", (e) => e)));
    expect(results.filter((x) => x === "ok")).toHaveLength(10);
    const refused = results.filter((x) => x !== "ok");
    expect(refused.every((e) => e instanceof OpenAI.RateLimitError && e.code === "insufficient_quota")).toBe(true);
    expect(refused[0].message).toContain("budget");
    await r.daemon.pipeline.idle();
    const rows = (await r.rows()).filter((x) => x.keyName === "ten");
    const id = r.daemon.registry.all()[0]!.id;
    const spent = r.daemon.registry.standing(id)!.spentMicros;
    expect(spent).toBe(70);
    expect(rows.reduce((n, x) => n + (x.costMicros ?? 0), 0)).toBe(spent); // spend = the rows' costs, to the micro-dollar
    expect(await r.daemon.store.spendSince(id, 0)).toBe(70);
    expect(r.daemon.registry.standing(id)).toMatchObject({ state: "exhausted", reservedMicros: 0, remainingMicros: 0 });
  });

  // The cut stream both as whole events and split at arbitrary bytes and paced, as a network delivers it.
  for (const network of [null, testNetwork()]) test(`a request no upstream answered is refunded; a stream cut mid-way is charged for what was delivered (${network ? `split and paced, seed ${network.seed}` : "whole events"})`, async () => {
    const r = await route(priced);
    const secret = await addKey(r, "cut", { budgetMicros: 1_000_000 });
    const c = clientFor(r, secret);
    a.next({ status: 500 });
    b.next({ status: 500 });
    await c.chat.completions.create(chatBody({ max_tokens: 50 })).catch(() => {});
    await r.daemon.pipeline.idle();
    await r.rows();
    const id = r.daemon.registry.all()[0]!.id;
    expect(r.daemon.registry.standing(id)).toMatchObject({ spentMicros: 0, reservedMicros: 0 });
    let release!: () => void;
    const until = new Promise<void>((res) => (release = res));
    a.next({ stream: { chunks: 6, resetAfter: 3, holdBefore: { index: 3, until } }, network });
    const stream = await c.chat.completions.create(chatBody({ stream: true, max_tokens: 50 }));
    let text = "";
    await (async () => {
      for await (const chunk of stream) if ((text += chunk.choices[0]?.delta?.content ?? "") === "w0 w1 w2 ") release(); // delivered: now the upstream dies
    })().catch(() => {});
    await r.daemon.pipeline.idle();
    const row = (await r.rows()).at(-1)!;
    expect(row).toMatchObject({ keyName: "cut", errorCode: "upstream_reset", tokensEstimated: true });
    expect(row.completionTokens).toBeGreaterThan(0);
    expect(row.costMicros).toBe(row.completionTokens); // 1 µ$ per completion token
    expect(r.daemon.registry.standing(id)!.spentMicros).toBe(row.costMicros!);
  });

  test("spend survives a restart", async () => {
    const dir = (await import("node:fs")).mkdtempSync(`${(await import("node:os")).tmpdir()}/route-keys-`);
    const db = `${dir}/db.sqlite`;
    const first = await route({ ...priced, dbPath: db });
    const secret = await addKey(first, "persist", { budgetMicros: 100, budgetWindow: "month" });
    for (let i = 0; i < 3; i++) await clientFor(first, secret).chat.completions.create(chatBody({ max_tokens: 7 }));
    await first.stop();
    const second = await route({ ...priced, dbPath: db });
    const id = second.daemon.registry.all()[0]!.id;
    expect(second.daemon.registry.standing(id)).toMatchObject({ spentMicros: 21, remainingMicros: 79 });
    await second.stop();
    (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
  });
});
