// A key holder's view of its own money (one-api's billing endpoints, Route's /v1/usage), the
// operator's per-key metrics and the key alerts, through the real daemon: requests with the official
// openai SDK, billing endpoints with plain fetch, rows priced at a fixed test rate.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody, type Route } from "./harness.ts";
import { startHookReceiver, type HookReceiver } from "./hook-receiver.ts";
import { addKey, clientFor, insertKey, keyHash } from "./key-fixtures.ts";
import { e2eSuite, type RouteOptions } from "./suite.ts";
import type { Coster } from "../keys/charge.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";

const suite = e2eSuite("A");
let a: FakeUpstream;
beforeAll(() => void ([a] = suite.upstreams));

// The fake reports 5 prompt and 7 completion tokens a chat request: 500 + 7_000 = 7_500 micro-dollars.
const RATE: Coster = { cost: ({ usage }) => ({ micros: (usage.promptTokens ?? 0) * 100 + (usage.completionTokens ?? 0) * 1000, source: "test rate" }) };
const PER_REQUEST = 7_500;
const route = (opts: RouteOptions = {}) => suite.route([{ name: "a", endpoint: a.url }], { coster: RATE, ...opts });

const get = async (r: Route, path: string, key: string) => {
  const res = await fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as any };
};
const chats = async (c: OpenAI, n: number) => {
  for (let i = 0; i < n; i++) await c.chat.completions.create(chatBody());
};

describe("billing endpoints", () => {
  test("subscription, usage and /v1/usage show a budgeted key's standing to the micro-dollar; not proxied, not logged", async () => {
    const T = Date.UTC(2026, 10, 29, 12);
    const r = await route({ now: () => T });
    const secret = await addKey(r, "alice", {
      budgetMicros: 5_000_000,
      budgetWindow: "month",
      softBudgetMicros: 4_000_000,
      expiresAt: Date.UTC(2027, 0, 1),
      rpm: 60,
      rpd: 1000,
      maxInflight: 4,
      models: ["gpt-4o*"],
    });
    await chats(clientFor(r, secret), 3);
    const rows = await r.rows();
    expect(rows.reduce((s, x) => s + x.costMicros!, 0)).toBe(3 * PER_REQUEST);

    const sub = await get(r, "/v1/dashboard/billing/subscription", secret);
    expect(sub).toEqual({
      status: 200,
      body: { object: "billing_subscription", has_payment_method: true, soft_limit_usd: 4, hard_limit_usd: 5, system_hard_limit_usd: 5, access_until: Date.UTC(2027, 0, 1) / 1000 },
    });
    expect((await get(r, "/dashboard/billing/subscription", secret)).body).toEqual(sub.body);
    for (const path of ["/v1/dashboard/billing/usage", "/dashboard/billing/usage"]) {
      expect((await get(r, path, secret)).body).toEqual({ object: "list", total_usage: 2.25 }); // cents
    }
    const own = await get(r, "/v1/usage", secret);
    expect(own.status).toBe(200);
    expect(own.body).toEqual({
      key: "alice",
      state: "active",
      budget: {
        window: "month",
        limit_micros: 5_000_000,
        limit_usd: "5.00",
        soft_limit_micros: 4_000_000,
        soft_limit_usd: "4.00",
        spent_micros: 22_500,
        spent_usd: "0.0225",
        reserved_micros: 0,
        reserved_usd: "0.00",
        remaining_micros: 4_977_500,
        remaining_usd: "4.9775",
        window_start: "2026-11-01T00:00:00.000Z",
        resets_at: "2026-12-01T00:00:00.000Z",
      },
      limits: { rpm: 60, rpd: 1000, tpm: null, max_inflight: 4 },
      current: { requests_today: 3, requests_this_minute: 3, tokens_this_minute: 36, inflight: 0 },
      expires_at: "2027-01-01T00:00:00.000Z",
      models: ["gpt-4o*"],
      groups: null,
    });
    const all = JSON.stringify([sub, own]);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(keyHash(secret));
    expect(a.received.filter((x) => x.path.includes("usage") || x.path.includes("billing"))).toHaveLength(0);
    expect(await r.rows()).toHaveLength(3);
  });

  test("start_date and end_date (end exclusive, in the configured time zone) select the spend between them", async () => {
    const r = await route({ config: { timezone: "Asia/Shanghai" } });
    const secret = await addKey(r, "dated");
    await chats(clientFor(r, secret), 2);
    const rows = await r.rows();
    const id = r.daemon.registry.all()[0]!.id;
    // 2020-02-01 04:00 in Shanghai: February there, January in UTC.
    await r.daemon.store.insertLedger({ keyId: id, ts: Date.UTC(2020, 0, 31, 20), kind: "adjust", amountMicros: 1_230_000, note: "test" });
    const day = (ms: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(ms);
    const today = day(rows[0]!.ts);
    const tomorrow = day(rows[0]!.ts + 86_400_000);
    const usage = async (q: string) => (await get(r, `/v1/dashboard/billing/usage?${q}`, secret)).body.total_usage;
    expect(await usage("start_date=2020-02-01&end_date=2020-03-01")).toBe(123);
    expect(await usage("start_date=2020-01-01&end_date=2020-02-01")).toBe(0);
    expect(await usage(`start_date=${today}&end_date=${tomorrow}`)).toBe(1.5);
    expect(await usage(`start_date=2020-01-01&end_date=${tomorrow}`)).toBe(124.5);
    expect(await usage(`end_date=${today}`)).toBe(123);
    expect(await usage(`start_date=${tomorrow}`)).toBe(0);
    for (const q of ["start_date=2026-02-30", "start_date=yesterday", "start_date=2026-03-02&end_date=2026-03-01"]) {
      const bad = await get(r, `/v1/dashboard/billing/usage?${q}`, secret);
      expect([bad.status, bad.body.error.code]).toEqual([400, "invalid_date"]);
    }
  });

  test("a shared key: unlimited, usage 0, key null; unknown and disabled keys get 401 invalid_api_key", async () => {
    const r = await route();
    expect((await get(r, "/v1/dashboard/billing/subscription", CLIENT_KEY)).body).toMatchObject({ hard_limit_usd: 100_000_000, soft_limit_usd: 100_000_000, access_until: 0 });
    expect((await get(r, "/dashboard/billing/usage?start_date=2020-01-01&end_date=2030-01-01", CLIENT_KEY)).body).toEqual({ object: "list", total_usage: 0 });
    expect((await get(r, "/v1/usage", CLIENT_KEY)).body).toMatchObject({ key: null, budget: null, limits: null });
    const off = await addKey(r, "off", { enabled: false });
    for (const path of ["/v1/dashboard/billing/subscription", "/dashboard/billing/usage", "/v1/usage"]) {
      for (const key of [`${CLIENT_KEY}x`, off]) {
        const res = await get(r, path, key);
        expect([res.status, res.body.error.code]).toEqual([401, "invalid_api_key"]);
      }
    }
    expect(await (await fetch(`${r.url}/metrics`)).text()).toContain('route_rejected_requests_total{code="invalid_api_key"} 6');
    expect(await r.rows()).toHaveLength(0);
  });
});

describe("per-key metrics", () => {
  const scrape = async (r: Route) => (await fetch(`${r.url}/metrics`)).text();

  test("requests, spend and tokens by key name; budget remaining at scrape; names past metrics_max_keys are `other`", async () => {
    const r = await route({ config: { metrics_max_keys: 2 } });
    const k1 = await addKey(r, "k1", { budgetMicros: 1_000_000 });
    const k2 = await addKey(r, "k2");
    const k3 = await addKey(r, "k3", { budgetMicros: 2_000_000 });
    const k4 = await addKey(r, "k4", { budgetMicros: 3_000_000 });
    await chats(clientFor(r, k1), 2);
    await chats(clientFor(r, k2), 1);
    await chats(clientFor(r, k3), 1);
    await chats(clientFor(r, k4), 1);
    await chats(r.client, 1); // a shared key: no key label
    await r.rows();
    const text = await scrape(r);
    expect(text).toContain('route_key_requests_total{key="k1"} 2');
    expect(text).toContain('route_key_requests_total{key="k2"} 1');
    expect(text).toContain('route_key_requests_total{key="other"} 2');
    expect(text).not.toContain('route_key_requests_total{key="k3"}');
    expect(text).toContain(`route_key_spend_micros_total{key="k1"} ${2 * PER_REQUEST}`);
    expect(text).toContain(`route_key_spend_micros_total{key="other"} ${2 * PER_REQUEST}`);
    expect(text).toContain('route_key_tokens_total{key="k1",kind="prompt"} 10');
    expect(text).toContain('route_key_tokens_total{key="k1",kind="completion"} 14');
    // The first two keys with a budget, by the operator's order: k1 and k3.
    expect(text).toContain(`route_key_budget_remaining_micros{key="k1"} ${1_000_000 - 2 * PER_REQUEST}`);
    expect(text).toContain(`route_key_budget_remaining_micros{key="k3"} ${2_000_000 - PER_REQUEST}`);
    expect(text).not.toContain('route_key_budget_remaining_micros{key="k4"}');
    expect(text).not.toMatch(/sk-route-/);
  });
});

describe("key alerts", () => {
  let hook: HookReceiver;
  let received: any[];
  beforeAll(() => {
    hook = startHookReceiver();
    received = hook.received;
  });
  afterAll(() => hook.stop());
  const notify = () => ({ notify: { webhook: { url: hook.url, events: ["key_soft_budget", "key_exhausted", "key_expiring"] } } });
  /** Resolves once `n` key events arrived since `from`. */
  const arrived = async (from: number, n: number) => {
    while (received.length < from + n) await hook.next();
    return received.slice(from);
  };

  test("soft budget passed and budget exhausted: one alert each per window, with the key's name and amounts only", async () => {
    const from = received.length;
    const r = await route({ config: notify() });
    const secret = await addKey(r, "spender", { budgetMicros: 3 * PER_REQUEST, softBudgetMicros: 2 * PER_REQUEST });
    const c = clientFor(r, secret);
    await chats(c, 1);
    await r.rows();
    expect(received.length).toBe(from); // under both
    await chats(c, 3); // the 4th is admitted (nothing reserved without an estimator): spent stays past the budget
    await r.rows(); // settled
    const err = await c.chat.completions.create(chatBody()).catch((e) => e);
    expect([err.status, err.code]).toEqual([429, "insufficient_quota"]);
    await r.rows();
    const events = await arrived(from, 2);
    expect(events.map((e) => [e.type, e.key])).toEqual([
      ["key_soft_budget", "spender"],
      ["key_exhausted", "spender"],
    ]);
    expect(events[0].text).toContain("key spender has spent $0.015 and passed its soft budget of $0.015");
    expect(events[1].detail).toMatchObject({ spent_usd: "0.0225", budget_usd: "0.0225", window: "total" });
    await r.stop(); // sends whatever is queued
    expect(received.slice(from).map((e) => e.type)).toEqual(["key_soft_budget", "key_exhausted"]);
    expect(JSON.stringify(received)).not.toContain(secret);
    expect(JSON.stringify(received)).not.toContain(keyHash(secret));
  });

  test("a key expiring within 3 days: alerted at start and after a reload of keys, once per key and expiry", async () => {
    const from = received.length;
    let t = Date.UTC(2026, 10, 29, 12);
    const store = openSqliteStore(":memory:");
    const day = 86_400_000;
    await insertKey(store, "soon", { expiresAt: t + 2 * day });
    await insertKey(store, "later", { expiresAt: t + 5 * day });
    await insertKey(store, "disabled", { expiresAt: t + day, enabled: false });
    const r = await route({ store, now: () => t, config: notify() });
    expect((await arrived(from, 1)).map((e) => e.key)).toEqual(["soon"]);
    await r.daemon.reloadKeys(); // nothing new
    t += 2.5 * day; // "later" is now within 3 days
    await r.daemon.reloadKeys();
    expect((await arrived(from, 2)).map((e) => e.key)).toEqual(["soon", "later"]);
    expect(received.at(-1).summary).toBe(`key later expires at ${new Date(Date.UTC(2026, 11, 4, 12)).toISOString()} (in about 60 h)`);
    await r.daemon.reloadKeys();
    await r.stop();
    expect(received.slice(from).map((e) => `${e.type}:${e.key}`)).toEqual(["key_expiring:soon", "key_expiring:later"]);
  });
});
