// Contract-shaped test data: upstreams, request records and stats ticks with sensible defaults.
import type { HistorySummaryView, HistoryView } from "../../shared/rpc/history-contract.ts";
import type { KeyStandingView, KeyView } from "../../shared/rpc/keys-contract.ts";
import type { LogRecordView, LogSummaryView, StatsView, UpstreamView } from "../../shared/rpc/contract.ts";
import { ROUTING_DEFAULTS } from "../../shared/upstream-fields.ts";

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

export function makeUpstream(p: Partial<UpstreamView> & { id: number }): UpstreamView {
  const name = p.name === undefined ? `up${p.id}` : p.name;
  return {
    name,
    label: name ?? `#${p.id}`,
    position: p.id,
    endpoint: `https://api${p.id}.example.com/v1`,
    sk: "****abcd",
    timeoutMs: null,
    streamTimeoutMs: null,
    enabled: true,
    source: "runtime",
    extra: null,
    ...ROUTING_DEFAULTS,
    state: p.enabled === false ? "disabled" : "up",
    createdAt: T0,
    updatedAt: T0,
    ...p,
  };
}

let seq = 0;
export function makeLog(p: Partial<LogRecordView> = {}): LogRecordView {
  seq++;
  return {
    id: `01a2006e-0000-7000-8000-${String(seq).padStart(12, "0")}`,
    ts: T0 + seq * 1000,
    method: "POST",
    path: "/v1/chat/completions",
    model: "gpt-4o-mini",
    stream: false,
    upstreamId: 1,
    upstreamName: "up1",
    status: 200,
    ttftMs: null,
    totalMs: 120,
    promptTokens: 9,
    completionTokens: 6,
    errorCode: null,
    clientIp: "127.0.0.1",
    requestBody: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "system", content: "be brief" }, { role: "user", content: `question ${seq}` }] }),
    requestBytes: 100,
    requestTruncated: false,
    attempts: [{ upstreamId: 1, upstream: "up1", outcome: "ok", status: 200, ms: 120 }],
    ttfbMs: 50,
    replyText: `answer number ${seq}`,
    toolCalls: null,
    totalTokens: 15,
    errorMessage: null,
    userAgent: "OpenAI/JS 6.0",
    ...p,
  };
}

export function summaryOf(r: LogRecordView): LogSummaryView {
  return {
    id: r.id,
    ts: r.ts,
    method: r.method,
    path: r.path,
    model: r.model,
    stream: r.stream,
    upstreamId: r.upstreamId,
    upstreamName: r.upstreamName,
    status: r.status,
    ttftMs: r.ttftMs,
    totalMs: r.totalMs,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    errorCode: r.errorCode,
    replyPreview: r.replyText?.slice(0, 200) ?? null,
    keyName: r.keyName ?? null,
    costMicros: r.costMicros ?? null,
  };
}

export function makeStats(upstreams: UpstreamView[], p: { ts?: number; rps?: number; errorRate?: number | null; errors?: Record<string, number>; cachedRatio?: number | null; sessions?: number } = {}): StatsView {
  return {
    ts: p.ts ?? Date.now(),
    windowS: 60,
    totals: { rps: (p.rps ?? 0) * upstreams.length, requests: 0, inflight: 0, statusClasses: { "2xx": 10 } },
    ...(p.sessions === undefined ? {} : { sessions: p.sessions }),
    upstreams: upstreams.map((u, i) => ({
      id: u.id,
      label: u.label,
      position: i + 1,
      state: u.enabled ? (u.state === "down" ? "down" : "up") : "disabled",
      inflight: 0,
      rps: p.rps ?? 0,
      attempts: 0,
      errorRate: p.errorRate ?? null,
      errors: p.errors ?? {},
      latencyMs: { p50: 120, p95: 480 },
      ttftMs: null,
      cachedRatio: p.cachedRatio ?? null,
    })),
  };
}

const KEY_DEFAULTS = { enabled: true, expiresAt: null, models: null, groups: null, allowIps: null, rpm: null, rpd: null, tpm: null, maxInflight: null, budgetMicros: null, budgetWindow: "total", softBudgetMicros: null, allowPinning: false, logCapture: null, note: null } as const;

/** Where a key stands, as routed derives it: disabled, then expired, then out of budget. */
export function standingOf(k: Omit<KeyView, "standing">, s: Partial<KeyStandingView> = {}, now = Date.now()): KeyStandingView {
  const spentMicros = s.spentMicros ?? 0;
  const reservedMicros = s.reservedMicros ?? 0;
  const remainingMicros = k.budgetMicros === null ? null : Math.max(0, k.budgetMicros - spentMicros - reservedMicros);
  const state = !k.enabled ? "disabled" : k.expiresAt !== null && k.expiresAt <= now ? "expired" : remainingMicros === 0 ? "exhausted" : "active";
  return { state, spentMicros, reservedMicros, remainingMicros, windowStart: 0, windowEnd: null, inflight: 0, usage: { rpm: 0, rpd: 0, tpm: 0 }, ...s };
}

export function makeKey(p: Partial<Omit<KeyView, "standing">> & { id: number; standing?: Partial<KeyStandingView> }): KeyView {
  const { standing, ...rest } = p;
  const k = { name: `key${p.id}`, prefix: `sk-route-${String(p.id).padStart(4, "0")}`, ...KEY_DEFAULTS, rotatedUntil: null, createdAt: T0, updatedAt: T0, ...rest };
  return { ...k, standing: standingOf(k, standing) };
}

const zeroSummary = (requests: number, costMicros = 0): HistorySummaryView => ({
  requests, errors: 0, errorRate: requests ? 0 : null, errorsByClass: {}, tokens: { prompt: 0, completion: 0, cached: 0, cacheWrite: 0, reasoning: 0 },
  costMicros, unpriced: 0, latencyMs: requests ? { p50: 120, p95: 480, p99: 900 } : null, ttftMs: null,
});

/** A stats.history answer with these requests per bucket (oldest first), each request costing 1000 micro-dollars. */
export function makeHistory(bucket: "hour" | "day", requests: number[]): HistoryView {
  const size = bucket === "hour" ? 3_600_000 : 86_400_000;
  const since = Math.floor(T0 / size) * size - (requests.length - 1) * size;
  const total = requests.reduce((a, b) => a + b, 0);
  return {
    since, until: T0, bucket, by: "upstream",
    series: requests.map((n, i) => ({ start: since + i * size, ...zeroSummary(n, n * 1000) })),
    totals: zeroSummary(total, total * 1000),
    groups: [{ name: "up1", ...zeroSummary(total, total * 1000) }],
  };
}
