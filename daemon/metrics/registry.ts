// Every metric Route exports, on its own registry. Label values are few by construction: upstream
// labels, model names (capped), status classes, attempt outcomes. Children are cached so the hot
// path does a Map lookup, not prom-client's label hashing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];
const MAX_MODELS = 50; // distinct model label values; the rest are reported as "other"

export function statusClass(status: number): string {
  return status === 499 ? "499" : `${Math.floor(status / 100)}xx`;
}

export interface UpstreamHealth {
  label: string;
  up: boolean;
}

export function createMetrics(upstreams: () => UpstreamHealth[] = () => []) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "route_process_" });

  const requests = new Counter({
    name: "route_requests_total",
    help: "Requests answered by the proxy, by upstream that served them (\"none\" if none did), model and status class.",
    labelNames: ["upstream", "model", "status_class"] as const,
    registers: [registry],
  });
  const attempts = new Counter({
    name: "route_upstream_attempts_total",
    help: "Attempts made against upstreams, by outcome (ok, http_4xx, http_429, http_5xx, connect_error, timeout, reset, stream_error, client_closed).",
    labelNames: ["upstream", "outcome"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "route_request_duration_seconds",
    help: "Time from request arrival to the last byte of the response.",
    labelNames: ["upstream", "stream"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const ttft = new Histogram({
    name: "route_time_to_first_token_seconds",
    help: "Streams: time from request arrival to the first content event sent to the client.",
    labelNames: ["upstream"] as const,
    buckets: TTFT_BUCKETS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: "route_tokens_total",
    help: "Tokens reported by upstreams, by kind (prompt, completion).",
    labelNames: ["upstream", "model", "kind"] as const,
    registers: [registry],
  });
  const inflight = new Gauge({ name: "route_inflight_requests", help: "Requests being proxied now.", registers: [registry] });
  new Gauge({
    name: "route_upstream_up",
    help: "1 if the upstream is enabled and its recent attempts are not all failures, else 0.",
    labelNames: ["upstream"] as const,
    registers: [registry],
    collect() {
      this.reset(); // computed at scrape time: removed upstreams disappear
      for (const u of upstreams()) this.set({ upstream: u.label }, u.up ? 1 : 0);
    },
  });
  const logQueue = new Gauge({ name: "route_log_queue_rows", help: "Request-log rows waiting to be written.", registers: [registry] });
  const logWritten = new Counter({ name: "route_log_rows_written_total", help: "Request-log rows written to the store.", registers: [registry] });
  const logDropped = new Counter({
    name: "route_log_rows_dropped_total",
    help: "Request-log rows dropped because the queue was full (the store was failing for too long).",
    registers: [registry],
  });
  const logErrors = new Counter({ name: "route_log_write_errors_total", help: "Failed request-log batch writes (retried).", registers: [registry] });
  const rejected = new Counter({
    name: "route_rejected_requests_total",
    help: "Requests refused before proxying, by code (invalid_api_key, request_too_large, invalid_json, not_found, …).",
    labelNames: ["code"] as const,
    registers: [registry],
  });

  const notifications = new Counter({
    name: "route_notifications_total",
    help: "Alert messages by channel and outcome (sent, failed, dropped, capped).",
    labelNames: ["channel", "outcome"] as const,
    registers: [registry],
  });

  const models = new Set<string>();
  const modelLabel = (m: string | null) => {
    if (!m) return "none";
    if (models.has(m)) return m;
    if (models.size >= MAX_MODELS) return "other";
    models.add(m);
    return m;
  };

  const cache = new Map<string, any>();
  function child<T>(key: string, make: () => T): T {
    let c = cache.get(key);
    if (c === undefined) cache.set(key, (c = make()));
    return c;
  }

  return {
    registry,
    inflight,
    logQueue,
    logWritten,
    logDropped,
    logErrors,
    request(upstream: string, model: string | null, status: number, stream: boolean, seconds: number) {
      const m = modelLabel(model);
      const sc = statusClass(status);
      child(`r\0${upstream}\0${m}\0${sc}`, () => requests.labels(upstream, m, sc)).inc();
      child(`d\0${upstream}\0${stream}`, () => duration.labels(upstream, String(stream))).observe(seconds);
    },
    attempt(upstream: string, outcome: string) {
      child(`a\0${upstream}\0${outcome}`, () => attempts.labels(upstream, outcome)).inc();
    },
    ttft(upstream: string, seconds: number) {
      child(`t\0${upstream}`, () => ttft.labels(upstream)).observe(seconds);
    },
    tokens(upstream: string, model: string | null, prompt: number | null, completion: number | null) {
      const m = modelLabel(model);
      if (prompt) child(`p\0${upstream}\0${m}`, () => tokens.labels(upstream, m, "prompt")).inc(prompt);
      if (completion) child(`c\0${upstream}\0${m}`, () => tokens.labels(upstream, m, "completion")).inc(completion);
    },
    notification(channel: string, outcome: string) {
      child(`n\0${channel}\0${outcome}`, () => notifications.labels(channel, outcome)).inc();
    },
    rejected(code: string) {
      child(`x\0${code}`, () => rejected.labels(code)).inc();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
