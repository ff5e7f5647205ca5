import { describe, expect, test } from "bun:test";
import { badReply } from "../proxy/bad-reply.ts";
import { createHealthBook, verdictOf } from "./health-book.ts";
import { DEFAULT_HEALTH, UpstreamHealth } from "./health.ts";
import { UpstreamStats } from "./pool.ts";

const u1 = { id: 1, label: "a" };

function setup() {
  let t = 0;
  const events: string[] = [];
  const book = createHealthBook({ now: () => t, onTransition: (label, tr, snap) => events.push(`${label}:${tr}:${snap.state}`) });
  book.sync([u1], ["v1"]);
  return { book, events, advance: (ms: number) => (t += ms) };
}

describe("health book", () => {
  test("verdicts: client errors and departures are neutral; 401/403 auth; the rest failures", () => {
    expect(["ok", "http_4xx", "http_429", "http_5xx", "timeout", "bad_reply", "client_closed"].map((o) => verdictOf(o, 400))).toEqual(["ok", "neutral", "rate_limited", "failure", "failure", "failure", "neutral"]);
    expect([verdictOf("http_4xx", 401), verdictOf("http_4xx", 403)]).toEqual(["auth_failed", "auth_failed"]);
  });

  test("a refused key needs confirming (one error never ejects); an operator's test does not", () => {
    const { book, events } = setup();
    book.report(1, "auth_failed");
    expect(book.snapshot(1).state).toBe("healthy");
    book.report(1, "ok"); // a success in between starts the count again
    book.report(1, "auth_failed");
    expect(book.snapshot(1).state).toBe("healthy");
    book.report(1, "auth_failed");
    expect(book.snapshot(1).state).toBe("misconfigured");
    expect(book.waitMs(1)).toBe(Infinity);
    book.reset(1);
    book.report(1, "auth_failed", { confirmed: true });
    expect(book.snapshot(1).state).toBe("misconfigured");
    expect(events).toEqual(["a:ejected:misconfigured", "a:restored:healthy", "a:ejected:misconfigured"]);
  });

  test("an edit (a new fingerprint) starts afresh; a move does not change the fingerprint", () => {
    const { book } = setup();
    for (let i = 0; i < 5; i++) book.report(1, "failure");
    expect(book.snapshot(1).state).toBe("cooling");
    book.sync([u1], ["v1"]);
    expect(book.snapshot(1).state).toBe("cooling");
    book.sync([u1], ["v2"]);
    expect(book.snapshot(1).state).toBe("healthy");
  });

  test("forced tries decide like trials; a neutral answer frees the trial", () => {
    const { book, advance, events } = setup();
    for (let i = 0; i < 5; i++) book.report(1, "failure");
    expect(book.admit(1, false)).toBe(false);
    expect(book.admit(1, true)).toBe(true); // every candidate cooling: tried anyway
    book.report(1, "ok");
    expect(book.snapshot(1).state).toBe("healthy");
    for (let i = 0; i < 5; i++) book.report(1, "failure");
    advance(book.waitMs(1));
    expect(book.admit(1, false)).toBe(true); // the trial
    expect(book.admit(1, false)).toBe(false);
    book.report(1, "neutral"); // the client left: proves nothing
    expect(book.admit(1, false)).toBe(true);
    expect(events).toEqual(["a:ejected:cooling", "a:restored:healthy", "a:ejected:cooling"]);
  });

  test("breaker: a neutral verdict during a trial frees it; a lost trial expires", () => {
    let t = 0;
    const h = new UpstreamHealth(DEFAULT_HEALTH, () => t);
    for (let i = 0; i < 5; i++) h.record("failure");
    t += 10_000;
    expect(h.admit()).toBe(true);
    h.record("neutral");
    expect(h.admit()).toBe(true);
    expect(h.admit()).toBe(false);
    t += DEFAULT_HEALTH.maxCooldownMs; // a trial whose verdict never came is given up
    expect(h.admit()).toBe(true);
  });
});

describe("bad replies and adaptive timeouts", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  test("a 200 without an answer", () => {
    expect(badReply("/v1/chat/completions", "application/json", enc(""))).toContain("empty");
    expect(badReply("/v1/chat/completions", "text/html", enc("<html>"))).toContain("HTML");
    expect(badReply("/v1/chat/completions", "application/json", enc(' \n<!DOCTYPE html>'))).toContain("HTML");
    expect(badReply("/v1/chat/completions", "application/json", enc('{"error":{"message":"x"}}'))).toContain("choices");
    expect(badReply("/v1/chat/completions", "application/json", enc('{"choices":[]}'))).toBeNull();
    expect(badReply("/v1/embeddings", "application/json", enc('{"data":[]}'))).toBeNull();
    expect(badReply("/v1/files", "application/json", enc(""))).toBeNull();
  });

  test("stream_timeout: auto is p95 × 3 of recent first-token times, within bounds, after a warm-up", () => {
    const s = new UpstreamStats();
    expect(s.autoStreamTimeout(1000, 30_000, 5000)).toBe(5000);
    for (let i = 1; i <= 100; i++) s.observeTtft(i * 10); // 10 … 1000 ms: p95 = 950
    expect(s.autoStreamTimeout(1000, 30_000, 5000)).toBe(2850);
    expect(s.autoStreamTimeout(1000, 2000, 5000)).toBe(2000);
    expect(s.autoStreamTimeout(4000, 30_000, 5000)).toBe(4000);
  });
});
