// The Store contract as tests, run against every backend (contract.test.ts): each test opens an
// empty store from the factory, so SQLite and Postgres must agree on ordering, filters, paging,
// text search, money sums and all-or-nothing edits.
import { afterEach, describe, expect, test } from "bun:test";
import { ROUTING_DEFAULTS, type LogRow, type NewClientKey, type NewUpstream, type Store } from "./types.ts";

export interface StoreFactory {
  name: string;
  /** An empty, migrated store. */
  open(): Promise<Store>;
}

// A value in every field that no other field shares, so a column bound in the wrong place shows.
export const logRow = (id: string, n: number): LogRow => ({
  id, ts: 1_700_000_000_000 + n, clientIp: `10.0.0.${n}`, method: "POST", path: "/v1/chat/completions", model: `model-${n}`, stream: true,
  requestBody: `{"model":"model-${n}","say":"é \\"quoted\\" \\n"}`, requestBytes: 101 + n, requestTruncated: true, upstreamId: 7, upstreamName: "up-seven",
  upstreamModel: `mapped-${n}`, plan: ["up-seven", "backup"],
  attempts: [{ upstreamId: 3, upstream: "backup", outcome: "timeout", ms: 900 }, { upstreamId: 7, upstream: "up-seven", outcome: "ok", status: 200, ms: 41 }],
  status: 201, ttfbMs: 11, ttftMs: 12, totalMs: 13, replyText: `reply ${n} 👋`, toolCalls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }],
  promptTokens: 21, completionTokens: 22, totalTokens: 43, tokensEstimated: true, errorCode: "upstream_reset", errorMessage: "upstream connection lost mid-stream",
  userAgent: "agent/1.0", upstreamRequestId: `req_${n}`, bodiesDropped: n % 2 === 1, keyId: n, keyName: `key-${n}`, costMicros: 1_234_567 + n,
  priceSource: "genai-prices:openai/gpt-4o", cachedTokens: 3, cacheWriteTokens: 4, reasoningTokens: 5, affinity: true, bodiesOmitted: "expired", replyTruncated: true,
});

export const bareLogRow = (id: string): LogRow => ({
  ...logRow(id, 99), clientIp: null, model: null, requestBody: null, upstreamId: null, upstreamName: null, upstreamModel: null, plan: null, ttfbMs: null,
  ttftMs: null, replyText: null, toolCalls: null, promptTokens: null, completionTokens: null, totalTokens: null, errorCode: null, errorMessage: null,
  userAgent: null, upstreamRequestId: null, bodiesDropped: false, keyId: null, keyName: null, costMicros: null, priceSource: null, cachedTokens: null,
  cacheWriteTokens: null, reasoningTokens: null, stream: false, requestTruncated: false, tokensEstimated: false,
});

export const upstream = (name: string, position: number, extra: Partial<NewUpstream> = {}): NewUpstream => ({
  name, endpoint: `http://${name}.test/v1`, sk: `sk-${name}`, timeoutMs: null, streamTimeoutMs: null, enabled: true, position, source: "runtime", extra: null, ...ROUTING_DEFAULTS, ...extra,
});

export const clientKey = (name: string, extra: Partial<NewClientKey> = {}): NewClientKey => ({
  name, prefix: `sk-route-${name}`, hash: `hash-${name}`, prevHash: null, prevValidUntil: null, enabled: true, expiresAt: null, models: null, groups: null, allowIps: null,
  rpm: null, rpd: null, tpm: null, maxInflight: null, budgetMicros: null, budgetWindow: "total", softBudgetMicros: null, allowPinning: false, logCapture: null, note: null, ...extra,
});

/** Opens a store per call, closed after each test (call inside a describe or the suite's body). */
export function storeOpener(f: StoreFactory): () => Promise<Store> {
  const open: Store[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  return async () => {
    const s = await f.open();
    open.push(s);
    return s;
  };
}

export function storeContract(f: StoreFactory): void {
  const fresh = storeOpener(f);

  describe(`${f.name}: request-log rows`, () => {
    test("every field comes back as written, nulls included; counted; listed newest first", async () => {
      const store = await fresh();
      const rows = Array.from({ length: 40 }, (_, i) => logRow(`0190-${String(i).padStart(2, "0")}`, i));
      await store.insertLogs(rows);
      for (const r of [rows[0]!, rows[39]!]) expect(await store.getLog(r.id)).toEqual(r);
      await store.insertLogs([bareLogRow("0190-nulls")]);
      expect(await store.getLog("0190-nulls")).toEqual(bareLogRow("0190-nulls"));
      expect(await store.getLog("0190-none")).toBeNull();
      expect(await store.countLogs()).toBe(41);
      expect((await store.listLogs(3)).map((r) => r.id)).toEqual(["0190-nulls", "0190-39", "0190-38"]);
    });

    test("a replayed row is skipped: the row already stored under its id stays as it was", async () => {
      const store = await fresh();
      const first = logRow("0190-a", 1);
      await store.insertLogs([first]);
      // A replay (spool, crash journal) carries the row's own ts: Postgres' key is (id, ts), as request_logs is partitioned on ts.
      await store.insertLogs([logRow("0190-b", 2), { ...logRow("0190-a", 3), ts: first.ts, requestBody: null, bodiesDropped: true }]);
      expect(await store.countLogs()).toBe(2);
      expect(await store.getLog("0190-a")).toEqual(first);
    });

    test("findLogIds matches the end of the id, newest first, wildcards literal", async () => {
      const store = await fresh();
      await store.insertLogs(["0190-aa-x1", "0190-bb-x1", "0190-cc-x2", "0190-dd_x1"].map((id, i) => logRow(id, i)));
      expect(await store.findLogIds("x1", 10)).toEqual(["0190-dd_x1", "0190-bb-x1", "0190-aa-x1"]);
      expect(await store.findLogIds("x1", 1)).toEqual(["0190-dd_x1"]);
      expect(await store.findLogIds("%", 10)).toHaveLength(4); // the % is dropped: every id ends in ""
    });
  });

  describe(`${f.name}: logs.query`, () => {
    test("only the named key's rows, newest first, with the key's name and cost in the summary", async () => {
      const store = await fresh();
      const rows = [1, 2, 1, 3].map((k, i) => ({ ...logRow(`0190-key-${i}`, i), keyName: `key-${k}`, costMicros: 100 + i }));
      await store.insertLogs([...rows, { ...logRow("0190-key-shared", 9), keyId: null, keyName: null }]);
      const found = await store.queryLogs({ key: "key-1", limit: 50 });
      expect(found.map((e) => [e.id, e.keyName, e.costMicros])).toEqual([["0190-key-2", "key-1", 102], ["0190-key-0", "key-1", 100]]);
      expect(await store.queryLogs({ key: "nobody", limit: 50 })).toEqual([]);
      expect((await store.queryLogs({ limit: 50 })).length).toBe(5);
    });

    test("filters: upstream by id or name, model, status class, time range, text; cursor paging", async () => {
      const store = await fresh();
      const rows = Array.from({ length: 10 }, (_, i) => ({
        ...logRow(`0191-${i}`, i),
        upstreamId: i % 2, upstreamName: `up-${i % 2}`, status: i < 3 ? 502 : 200,
        replyText: i === 4 ? "The Answer is 100%_done" : `reply ${i} ${"x".repeat(300)}`,
      }));
      await store.insertLogs(rows);
      const ids = async (q: object) => (await store.queryLogs({ limit: 50, ...q })).map((e) => e.id);
      expect(await ids({ upstream: 1 })).toEqual(["0191-9", "0191-7", "0191-5", "0191-3", "0191-1"]);
      expect(await ids({ upstream: "up-0", status: "5xx" })).toEqual(["0191-2", "0191-0"]);
      expect(await ids({ status: 200, model: "model-5" })).toEqual(["0191-5"]);
      expect(await ids({ since: rows[3]!.ts, until: rows[6]!.ts })).toEqual(["0191-5", "0191-4", "0191-3"]);
      expect(await ids({ text: "answer IS 100%_" })).toEqual(["0191-4"]); // case-insensitive, % and _ literal
      expect(await ids({ text: "100%x" })).toEqual([]);
      expect(await ids({ text: "model-7" })).toEqual(["0191-7"]); // the request body too
      const page1 = await store.queryLogs({ limit: 4 });
      const page2 = await store.queryLogs({ limit: 4, before: page1.at(-1)!.id });
      expect([...page1, ...page2].map((e) => e.id)).toEqual(["0191-9", "0191-8", "0191-7", "0191-6", "0191-5", "0191-4", "0191-3", "0191-2"]);
      expect(page1[0]!.replyPreview).toBe(`reply 9 ${"x".repeat(300)}`.slice(0, 200));
      expect(Object.keys(page1[0]!)).not.toContain("requestBody");
    });
  });

  describe(`${f.name}: upstreams`, () => {
    test("insert, list by position then id, update, delete; settings round-trip", async () => {
      const store = await fresh();
      const b = await store.insertUpstream(upstream("b", 1, { models: ["gpt-4o*"], modelMapping: { a: "b" }, extra: { rpm: 60 }, headers: { x: "1" }, prices: { "gpt-*": { input: 1, output: 2 } } as never }));
      const a = await store.insertUpstream(upstream("a", 0, { type: "azure", apiVersion: "2024-01", streamTimeoutAuto: true, responses: false }));
      const c = await store.insertUpstream(upstream("c", 1));
      expect((await store.listUpstreams()).map((u) => u.name)).toEqual(["a", "b", "c"]);
      expect(b).toMatchObject({ models: ["gpt-4o*"], modelMapping: { a: "b" }, extra: { rpm: 60 }, headers: { x: "1" }, enabled: true });
      expect(a).toMatchObject({ type: "azure", apiVersion: "2024-01", streamTimeoutAuto: true, responses: false, groups: null });
      expect(typeof a.createdAt).toBe("number");
      const updated = await store.updateUpstream(c.id, { enabled: false, position: -1, models: null });
      expect(updated).toMatchObject({ id: c.id, enabled: false, position: -1, models: null });
      expect(await store.updateUpstream(9999, { enabled: false })).toBeNull();
      expect((await store.listUpstreams()).map((u) => u.name)).toEqual(["c", "a", "b"]);
      expect(await store.deleteUpstream(a.id)).toBe(true);
      expect(await store.deleteUpstream(a.id)).toBe(false);
      expect((await store.listUpstreams()).map((u) => u.name)).toEqual(["c", "b"]);
    });

    test("applyUpstreamChanges: deletes, updates, inserts in one go, or nothing when one fails", async () => {
      const store = await fresh();
      const a = await store.insertUpstream(upstream("a", 0));
      const b = await store.insertUpstream(upstream("b", 1));
      await expect(store.applyUpstreamChanges({ deletes: [a.id], updates: [{ id: b.id, patch: { position: 5 } }], inserts: [upstream("b", 2)] })).rejects.toThrow();
      expect((await store.listUpstreams()).map((u) => [u.name, u.position])).toEqual([["a", 0], ["b", 1]]);
      const inserted = await store.applyUpstreamChanges({ deletes: [a.id], updates: [{ id: b.id, patch: { position: 5 } }], inserts: [upstream("a", 0), upstream("d", 9)] });
      expect(inserted.map((u) => u.name)).toEqual(["a", "d"]);
      expect((await store.listUpstreams()).map((u) => [u.name, u.position])).toEqual([["a", 0], ["b", 5], ["d", 9]]);
    });

    test("limit counters: upserted, deleted, loaded back", async () => {
      const store = await fresh();
      await store.saveLimitCounters([{ upstreamId: 1, snapshot: { rpm: [1, 2] } }, { upstreamId: 2, snapshot: { rpd: 3 } }], []);
      await store.saveLimitCounters([{ upstreamId: 1, snapshot: { rpm: [4] } }], [2]);
      expect(await store.loadLimitCounters()).toEqual([{ upstreamId: 1, snapshot: { rpm: [4] } }]);
    });
  });

  describe(`${f.name}: client keys and money`, () => {
    test("keys: insert, list, update, delete; names and hashes unique", async () => {
      const store = await fresh();
      const k = await store.insertKey(clientKey("alice", { budgetMicros: 5_000_000_000, models: ["gpt-*"], allowIps: ["10.0.0.0/8"] }));
      await store.insertKey(clientKey("bob"));
      await expect(store.insertKey(clientKey("alice", { hash: "other" }))).rejects.toThrow();
      expect(k).toMatchObject({ name: "alice", budgetMicros: 5_000_000_000, models: ["gpt-*"], allowIps: ["10.0.0.0/8"], enabled: true, budgetWindow: "total" });
      expect((await store.updateKey(k.id, { enabled: false, budgetWindow: "month" }))?.budgetWindow).toBe("month");
      expect(await store.updateKey(9999, { enabled: false })).toBeNull();
      expect((await store.listKeys()).map((x) => [x.name, x.enabled])).toEqual([["alice", false], ["bob", true]]);
      expect(await store.deleteKey(k.id)).toBe(true);
      expect(await store.deleteKey(k.id)).toBe(false);
    });

    test("ledger, spendSince and keyUsage: row costs plus adjustments, from `since` on", async () => {
      const store = await fresh();
      const at = (i: number) => 1_700_000_000_000 + i;
      await store.insertLogs([
        { ...logRow("0192-1", 1), keyId: 1, ts: at(1), costMicros: 3_000_000_000, promptTokens: 10, completionTokens: 1 },
        { ...logRow("0192-2", 2), keyId: 1, ts: at(5), costMicros: 700, promptTokens: 20, completionTokens: 2 },
        { ...logRow("0192-3", 3), keyId: 1, ts: at(6), costMicros: null, totalTokens: 9 },
        { ...logRow("0192-4", 4), keyId: 2, ts: at(6), costMicros: 50 },
        { ...logRow("0192-5", 5), keyId: null, ts: at(6), costMicros: 999 },
      ]);
      const e1 = await store.insertLedger({ keyId: 1, ts: at(2), kind: "adjust", amountMicros: -200, note: "refund" });
      await store.insertLedger({ keyId: 1, ts: at(7), kind: "reset", amountMicros: -500, note: null });
      expect(e1).toMatchObject({ keyId: 1, kind: "adjust", amountMicros: -200, note: "refund" });
      expect((await store.listLedger(1)).map((e) => e.amountMicros)).toEqual([-200, -500]);
      expect((await store.listLedger(1, at(3))).map((e) => e.amountMicros)).toEqual([-500]);
      expect(await store.spendSince(1, 0)).toBe(3_000_000_000 + 700 - 200 - 500);
      expect(await store.spendSince(1, at(3))).toBe(700 - 500);
      expect(await store.spendSince(3, 0)).toBe(0);
      const usage = (await store.keyUsage({})).sort((x, y) => x.keyId - y.keyId);
      expect(usage).toEqual([
        { keyId: 1, requests: 3, promptTokens: 51, completionTokens: 25, costMicros: 3_000_000_700, unpriced: 1 },
        { keyId: 2, requests: 1, promptTokens: 21, completionTokens: 22, costMicros: 50, unpriced: 0 },
      ]);
      expect(await store.keyUsage({ keyId: 1, since: at(5) })).toEqual([{ keyId: 1, requests: 2, promptTokens: 41, completionTokens: 24, costMicros: 700, unpriced: 1 }]);
    });
  });
}
