// Every metric Route exports, on its own registry. Label values are few by construction and never
// chosen by a client: upstream labels, model names the config names (else "other"), status classes,
// attempt outcomes. The per-request metrics are
// plain numbers the hot path adds to (children cached in nested maps by label value); prom-client reads
// them only at scrape time. Its own inc/observe hashed the labels on every call, ~3% of CPU at load.
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from "prom-client";

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];

/** The models the config names: literal `models` entries (not globs), `model_mapping` keys and values. */
export interface ModelNames {
  models: readonly string[] | null;
  modelMapping: Readonly<Record<string, string>> | null;
}
const isGlob = (m: string) => /[*?]/.test(m);
export const configuredModels = (upstreams: readonly ModelNames[]): Set<string> =>
  new Set(upstreams.flatMap((u) => [...(u.models ?? []).filter((m) => !isGlob(m)), ...Object.entries(u.modelMapping ?? {}).flat()]));

export function statusClass(status: number): string {
  return status === 499 ? "499" : `${Math.floor(status / 100)}xx`;
}

interface Tally {
  labels: Record<string, string>;
  n: number;
}

type Values = () => Iterable<[Record<string, string>, number]>;

/** A counter or gauge whose children are computed at scrape time: what is gone disappears. */
function scraped(kind: "counter" | "gauge", registry: Registry, name: string, help: string, labelNames: readonly string[], values: Values) {
  const common = { name, help, labelNames, registers: [registry] };
  if (kind === "counter") {
    new Counter({
      ...common,
      collect() {
        this.reset();
        for (const [l, v] of values()) this.inc(l, v);
      },
    });
  } else {
    new Gauge({
      ...common,
      collect() {
        this.reset();
        for (const [l, v] of values()) this.set(l, v);
      },
    });
  }
}

/** A counter whose children are tallies; prom-client gets the totals when scraped. */
function tallyCounter(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
  const tallies: Tally[] = [];
  scraped("counter", registry, name, help, labelNames, () => tallies.map((t) => [t.labels, t.n]));
  return (labels: Record<string, string>): Tally => {
    const t = { labels, n: 0 };
    tallies.push(t);
    return t;
  };
}

class Buckets {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    if (i < this.counts.length) this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

/** A histogram family in prom-client's exposition format, registered as a custom metric. */
function bucketHistogram(registry: Registry, name: string, help: string, bounds: readonly number[]) {
  const children: Buckets[] = [];
  const values = () =>
    children.flatMap((c) => {
      let cumulative = 0;
      return [
        ...bounds.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...c.labels, le }, value: (cumulative += c.counts[i]!) })),
        { metricName: `${name}_bucket`, labels: { ...c.labels, le: "+Inf" }, value: c.count },
        { metricName: `${name}_sum`, labels: c.labels, value: c.sum },
        { metricName: `${name}_count`, labels: c.labels, value: c.count },
      ];
    });
  const metric = { name, help, type: "histogram", aggregator: "sum", get: async () => ({ name, help, type: "histogram", aggregator: "sum", values: values() }), reset: () => void (children.length = 0) };
  registry.registerMetric(metric as unknown as Metric);
  return (labels: Record<string, string>): Buckets => {
    const b = new Buckets(labels, bounds);
    children.push(b);
    return b;
  };
}

export interface UpstreamHealth {
  label: string;
  up: boolean;
  /** Headroom per configured limit (null: unlimited), read at scrape time. */
  remaining?: { rpm: number | null; rpd: number | null; tpm: number | null };
}

export function createMetrics(upstreams: () => UpstreamHealth[] = () => []) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "route_process_" });

  const requests = tallyCounter(
    registry,
    "route_requests_total",
    "Requests answered by the proxy, by upstream that served them (\"none\" if none did), model and status class.",
    ["upstream", "model", "status_class"],
  );
  const attempts = tallyCounter(
    registry,
    "route_upstream_attempts_total",
    "Attempts made against upstreams, by outcome (ok, http_4xx, http_429, http_5xx, connect_error, timeout, reset, stream_error, bad_reply, redirect, client_closed, shutting_down).",
    ["upstream", "outcome"],
  );
  const duration = bucketHistogram(registry, "route_request_duration_seconds", "Time from request arrival to the last byte of the response.", DURATION_BUCKETS);
  const ttft = bucketHistogram(
    registry,
    "route_time_to_first_token_seconds",
    "Streams: time from request arrival to the first content event sent to the client.",
    TTFT_BUCKETS,
  );
  const tokens = tallyCounter(registry, "route_tokens_total", "Tokens reported by upstreams, by kind (prompt, completion, cached: the prompt tokens read from the provider's cache).", ["upstream", "model", "kind"]);
  const affinity = tallyCounter(
    registry,
    "route_affinity_total",
    "Session affinity: hit (the session's upstream led the plan), miss (it had none among the candidates), moved (another upstream answered the session).",
    ["result"],
  );
  let sessions = () => 0;
  new Gauge({
    name: "route_affinity_sessions",
    help: "Sessions whose upstream affinity remembers (idle ones expire after affinity_ttl).",
    registers: [registry],
    collect() {
      this.set(sessions());
    },
  });
  let inflightNow = 0;
  new Gauge({
    name: "route_inflight_requests",
    help: "Requests being proxied now.",
    registers: [registry],
    collect() {
      this.set(inflightNow);
    },
  });
  const inflight = { set: (n: number) => void (inflightNow = n) };
  scraped(
    "gauge",
    registry,
    "route_upstream_up",
    "1 if the upstream is in rotation (enabled and its health breaker closed), else 0 (disabled, cooling, half-open, misconfigured).",
    ["upstream"],
    () => upstreams().map((u) => [{ upstream: u.label }, u.up ? 1 : 0]),
  );
  new Gauge({
    name: "route_upstream_limit_remaining",
    help: "Requests (rpm, rpd) or tokens (tpm) an upstream may still take under its configured limits; absent for unlimited.",
    labelNames: ["upstream", "limit"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const u of upstreams()) {
        if (!u.remaining) continue;
        for (const limit of ["rpm", "rpd", "tpm"] as const) {
          const left = u.remaining[limit];
          if (left !== null) this.set({ upstream: u.label, limit }, left);
        }
      }
    },
  });
  // The log writer's backlog, read at scrape time, so it is right during an outage too.
  let logBacklog = () => ({ rows: 0, bytes: 0 });
  const watchLogQueue = (read: typeof logBacklog) => void (logBacklog = read);
  new Gauge({ name: "route_log_queue_rows", help: "Request-log rows waiting to be written.", registers: [registry], collect() { this.set(logBacklog().rows); } });
  new Gauge({ name: "route_log_queue_bytes", help: "Body bytes held by request-log rows waiting to be written (bounded by --log-queue-max).", registers: [registry], collect() { this.set(logBacklog().bytes); } });
  // Rows moved to the spool file while the store is out (--spool-dir), read at scrape time.
  let logSpool = () => ({ rows: 0, bytes: 0 });
  const watchLogSpool = (read: typeof logSpool) => void (logSpool = read);
  new Gauge({ name: "route_log_spool_rows", help: "Request-log rows in the spool file, waiting to be replayed into the store.", registers: [registry], collect() { this.set(logSpool().rows); } });
  new Gauge({ name: "route_log_spool_bytes", help: "Size of the request-log spool file (bounded by its own byte limit).", registers: [registry], collect() { this.set(logSpool().bytes); } });
  // Budgets decided by the shared database (several nodes): settlements waiting for it.
  let budgetPending = () => 0;
  const watchBudgetSettlements = (read: typeof budgetPending) => void (budgetPending = read);
  new Gauge({ name: "route_budget_settle_queue", help: "Budget settlements waiting for the shared database (retried in order).", registers: [registry], collect() { this.set(budgetPending()); } });
  const budgetSettleRetries = new Counter({ name: "route_budget_settle_retries_total", help: "Budget settlements that failed against the shared database and were retried.", registers: [registry] });
  const logBodiesDropped = new Counter({
    name: "route_log_bodies_dropped_total",
    help: "Request-log rows written without their bodies because the queue was over --log-queue-max.",
    registers: [registry],
  });
  const logWritten = new Counter({ name: "route_log_rows_written_total", help: "Request-log rows written to the store.", registers: [registry] });
  const logDropped = new Counter({
    name: "route_log_rows_dropped_total",
    help: "Request-log rows dropped because the queue was full (the store was failing for too long).",
    registers: [registry],
  });
  const logErrors = new Counter({ name: "route_log_write_errors_total", help: "Failed request-log batch writes (retried).", registers: [registry] });
  const rejected = tallyCounter(
    registry,
    "route_rejected_requests_total",
    "Requests refused before proxying, by code (invalid_api_key, request_too_large, invalid_json, not_found, …).",
    ["code"],
  );

  const notifications = new Counter({
    name: "route_notifications_total",
    help: "Alert messages by channel and outcome (sent, failed, dropped, capped).",
    labelNames: ["channel", "outcome"] as const,
    registers: [registry],
  });

  // Client keys by the operator's key names, bounded: the first `maxKeys` names seen are label
  // values, later ones count as "other" (metrics_max_keys).
  const keyRequests = tallyCounter(registry, "route_key_requests_total", "Requests made with a client key, by key name (\"other\" past metrics_max_keys).", ["key"]);
  const keySpend = tallyCounter(registry, "route_key_spend_micros_total", "Micro-dollars charged to client keys (priced requests), by key name.", ["key"]);
  const keyTokens = tallyCounter(registry, "route_key_tokens_total", "Tokens used with client keys, by key name and kind (prompt, completion).", ["key", "kind"]);
  let maxKeys = 100;
  const keyNames = new Set<string>();
  const keyLabel = (name: string) => (keyNames.has(name) ? name : keyNames.size < maxKeys ? (keyNames.add(name), name) : "other");
  let keyBudgets = (_max: number): { key: string; remaining: number }[] => [];
  scraped(
    "gauge",
    registry,
    "route_key_budget_remaining_micros",
    "Micro-dollars a client key may still spend in its budget window (reservations held), for the first metrics_max_keys keys with a budget.",
    ["key"],
    () => keyBudgets(maxKeys).map((k) => [{ key: k.key }, k.remaining]),
  );

  // A client picks the model name: only names the config has become label values (set on each pool change).
  let models = new Set<string>();
  const modelLabel = (m: string | null) => (!m ? "none" : models.has(m) ? m : "other");

  // Children found by label values through nested maps: each lookup hashes a short string whose
  // hash is cached, instead of building and hashing a joined key per call (~1 µs a request).
  const cache = new Map<string, any>();
  const level = (m: Map<string, any>, k: string): Map<string, any> => {
    let next = m.get(k);
    if (next === undefined) m.set(k, (next = new Map()));
    return next;
  };
  function child<T>(kind: string, a: string, b: string | null, c: string | null, make: () => T): T {
    let m = level(cache, kind);
    let last = a;
    if (b !== null) {
      m = level(m, a);
      last = b;
      if (c !== null) {
        m = level(m, b);
        last = c;
      }
    }
    let x = m.get(last);
    if (x === undefined) m.set(last, (x = make()));
    return x;
  }

  return {
    registry,
    /** The upstreams changed: these are the model label values from now on. */
    setModels(upstreams: readonly ModelNames[]) {
      models = configuredModels(upstreams);
    },
    inflight,
    watchLogQueue,
    watchLogSpool,
    watchBudgetSettlements,
    budgetSettleRetries,
    logWritten,
    logDropped,
    logBodiesDropped,
    logErrors,
    request(upstream: string, model: string | null, status: number, stream: boolean, seconds: number) {
      const m = modelLabel(model);
      const sc = statusClass(status);
      child("r", upstream, m, sc, () => requests({ upstream, model: m, status_class: sc })).n++;
      child("d", upstream, stream ? "1" : "0", null, () => duration({ upstream, stream: String(stream) })).observe(seconds);
    },
    attempt(upstream: string, outcome: string) {
      child("a", upstream, outcome, null, () => attempts({ upstream, outcome })).n++;
    },
    ttft(upstream: string, seconds: number) {
      child("t", upstream, null, null, () => ttft({ upstream })).observe(seconds);
    },
    tokens(upstream: string, model: string | null, prompt: number | null, completion: number | null, cached: number | null = null) {
      const m = modelLabel(model);
      if (cached) child("ch", upstream, m, null, () => tokens({ upstream, model: m, kind: "cached" })).n += cached;
      if (prompt) child("p", upstream, m, null, () => tokens({ upstream, model: m, kind: "prompt" })).n += prompt;
      if (completion) child("c", upstream, m, null, () => tokens({ upstream, model: m, kind: "completion" })).n += completion;
    },
    affinity(result: "hit" | "miss" | "moved") {
      child("af", result, null, null, () => affinity({ result })).n++;
    },
    /** Live affinity sessions, read at scrape time. */
    watchSessions(read: () => number) {
      sessions = read;
    },
    notification(channel: string, outcome: string) {
      child("n", channel, outcome, null, () => notifications.labels(channel, outcome)).inc();
    },
    /** metrics_max_keys: names already labelled keep their label. */
    setMaxKeys(n: number) {
      maxKeys = n;
    },
    /** Budgeted keys and their remaining micro-dollars (at most `max`), read at scrape time. */
    watchKeyBudgets(read: typeof keyBudgets) {
      keyBudgets = read;
    },
    /** A client key's priced request (cost null: unknown price, counted as a request only). */
    keyRequest(name: string, costMicros: number | null, prompt: number | null, completion: number | null) {
      const k = keyLabel(name);
      child("kr", k, null, null, () => keyRequests({ key: k })).n++;
      if (costMicros) child("ks", k, null, null, () => keySpend({ key: k })).n += costMicros;
      if (prompt) child("kt", k, "p", null, () => keyTokens({ key: k, kind: "prompt" })).n += prompt;
      if (completion) child("kt", k, "c", null, () => keyTokens({ key: k, kind: "completion" })).n += completion;
    },
    rejected(code: string) {
      child("x", code, null, null, () => rejected({ code })).n++;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
