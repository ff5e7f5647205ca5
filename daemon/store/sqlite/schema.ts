import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { BODIES_OMITTED } from "../types.ts";
import { UPSTREAM_TYPES, type PriceTable } from "../../../shared/upstream-fields.ts";
import { counterColumns } from "../rollup.ts";

export const upstreams = sqliteTable("upstreams", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").unique(),
  endpoint: text("endpoint").notNull(),
  sk: text("sk").notNull(),
  timeoutMs: integer("timeout_ms"),
  streamTimeoutMs: integer("stream_timeout_ms"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  position: integer("position").notNull(),
  // "file": reconciled from upstreams.yaml on every start; "runtime": added through the admin API / CLI.
  source: text("source", { enum: ["file", "runtime"] }).notNull(),
  // Fields Route does not use yet but an import brought (api-together's rpm, rpd, models,
  // modelMapping, …): kept verbatim so nothing is lost and export writes them back.
  extra: text("extra", { mode: "json" }).$type<Record<string, unknown>>(),
  // Routing settings (issue 6). null: the default (serves any model, weight 1, priority 0, unlimited).
  type: text("type", { enum: UPSTREAM_TYPES }).notNull().default("openai"),
  apiVersion: text("api_version"), // Azure's api-version query parameter
  models: text("models", { mode: "json" }).$type<string[]>(),
  modelMapping: text("model_mapping", { mode: "json" }).$type<Record<string, string>>(),
  weight: integer("weight"),
  priority: integer("priority"),
  rpm: integer("rpm"),
  rpd: integer("rpd"),
  tpm: integer("tpm"),
  stallTimeoutMs: integer("stall_timeout_ms"),
  streamTimeoutAuto: integer("stream_timeout_auto", { mode: "boolean" }).notNull().default(false),
  maxInflight: integer("max_inflight"),
  headers: text("headers", { mode: "json" }).$type<Record<string, string>>(),
  groups: text("groups", { mode: "json" }).$type<string[]>(), // null: ["default"]
  prices: text("prices", { mode: "json" }).$type<PriceTable>(), // model glob → USD per million tokens
  responses: integer("responses", { mode: "boolean" }), // serves /v1/responses itself; null: by type
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const requestLogs = sqliteTable(
  "request_logs",
  {
    id: text("id").primaryKey(), // the request id (UUIDv7: time-ordered)
    ts: integer("ts").notNull(), // ms since epoch, when the request arrived
    clientIp: text("client_ip"),
    method: text("method").notNull(),
    path: text("path").notNull(),
    model: text("model"),
    stream: integer("stream", { mode: "boolean" }).notNull(),
    requestBody: text("request_body"),
    requestBytes: integer("request_bytes").notNull(),
    requestTruncated: integer("request_truncated", { mode: "boolean" }).notNull(),
    // No foreign key: rows outlive the upstreams they name; upstream_name is the snapshot.
    upstreamId: integer("upstream_id"),
    upstreamName: text("upstream_name"),
    upstreamModel: text("upstream_model"), // the model name sent upstream, when a mapping changed it
    plan: text("plan"), // JSON: labels of the upstreams the request could try, in order
    attempts: text("attempts").notNull(), // JSON: [{upstreamId, upstream, outcome, status?, ms}]
    status: integer("status").notNull(),
    ttfbMs: integer("ttfb_ms"),
    ttftMs: integer("ttft_ms"),
    totalMs: integer("total_ms").notNull(),
    replyText: text("reply_text"),
    toolCalls: text("tool_calls"), // JSON, when the reply called tools
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    totalTokens: integer("total_tokens"),
    tokensEstimated: integer("tokens_estimated", { mode: "boolean" }).notNull().default(false), // counted locally: the upstream gave no usage
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    userAgent: text("user_agent"),
    upstreamRequestId: text("upstream_request_id"), // the upstream's own id (x-request-id, request-id, …) for tickets with the provider
    // The log queue was over its byte bound when this row was queued: bodies and reply were not kept.
    bodiesDropped: integer("bodies_dropped", { mode: "boolean" }).notNull().default(false),
    // Client keys and money (issue 13). key_id: the client key used (null: a shared `authorization` key).
    keyId: integer("key_id"),
    keyName: text("key_name"), // snapshot: the row outlives a renamed or deleted key
    costMicros: integer("cost_micros"), // integer micro-dollars charged; null: price unknown
    priceSource: text("price_source"), // which price was used, e.g. "genai-prices:openai/gpt-4o", "config:gpt-4o"
    cachedTokens: integer("cached_tokens"), // prompt tokens read from the provider's cache
    cacheWriteTokens: integer("cache_write_tokens"), // prompt tokens written to it
    reasoningTokens: integer("reasoning_tokens"), // completion tokens spent reasoning
    affinity: integer("affinity", { mode: "boolean" }).notNull().default(false), // session affinity chose the answering upstream
    // Why the bodies are not there (null: kept as captured): "capture" (log.capture: metadata), "disk_low"
    // (the disk was nearly full when written), "expired" (log.body_retention), "max_size" (log.max_size).
    bodiesOmitted: text("bodies_omitted", { enum: BODIES_OMITTED }),
    replyTruncated: integer("reply_truncated", { mode: "boolean" }).notNull().default(false), // log.capture: truncate cut the reply
  },
  (t) => [
    index("request_logs_ts").on(t.ts),
    // Partial: rows of shared keys (most traffic on many gateways) pay no index write for it.
    index("request_logs_key").on(t.keyId, t.ts).where(sql`${t.keyId} is not null`),
    index("request_logs_upstream").on(t.upstreamId, t.ts),
    index("request_logs_status").on(t.status, t.ts),
  ],
);

// Client keys: stored as SHA-256 of the secret plus a short visible prefix; the secret is shown once.
export const clientKeys = sqliteTable("client_keys", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  prefix: text("prefix").notNull(), // e.g. "sk-route-ab12": enough to recognise, never to use
  hash: text("hash").notNull().unique(), // hex SHA-256 of the secret
  // Rotation: the previous secret stays valid until prev_valid_until (ms), then is refused.
  prevHash: text("prev_hash"),
  prevValidUntil: integer("prev_valid_until"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  expiresAt: integer("expires_at"), // ms since epoch; null: never
  models: text("models", { mode: "json" }).$type<string[]>(), // globs; null or empty: all
  groups: text("groups", { mode: "json" }).$type<string[]>(), // upstream groups it may use; null or empty: all
  allowIps: text("allow_ips", { mode: "json" }).$type<string[]>(), // CIDRs; null or empty: any
  rpm: integer("rpm"),
  rpd: integer("rpd"),
  tpm: integer("tpm"),
  maxInflight: integer("max_inflight"),
  budgetMicros: integer("budget_micros"), // null: no budget
  budgetWindow: text("budget_window", { enum: ["total", "day", "week", "month"] }).notNull().default("total"),
  softBudgetMicros: integer("soft_budget_micros"),
  allowPinning: integer("allow_pinning", { mode: "boolean" }).notNull().default(false),
  logCapture: text("log_capture"), // full | metadata | truncate:<bytes>; null: the global log.capture
  note: text("note"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

// Changes of a key's balance other than settlements (those are the request_logs rows' cost_micros):
// manual adjustments and resets, signed micro-dollars, append-only.
export const keyLedger = sqliteTable(
  "key_ledger",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    keyId: integer("key_id").notNull(),
    ts: integer("ts").notNull(),
    kind: text("kind", { enum: ["adjust", "reset"] }).notNull(),
    amountMicros: integer("amount_micros").notNull(),
    note: text("note"),
  },
  (t) => [index("key_ledger_key").on(t.keyId, t.ts)],
);

// Per key and local day (the configured time zone's midnight, ms), the requests, tokens and money of
// request_logs rows the retention job deleted, folded here in the delete's own transaction: spend and
// usage read these beside the rows still there, so deleting old rows never changes a budget.
export const keySpendDays = sqliteTable(
  "key_spend_days",
  {
    keyId: integer("key_id").notNull(),
    dayStart: integer("day_start").notNull(),
    requests: integer("requests").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    costMicros: integer("cost_micros").notNull(),
    unpriced: integer("unpriced").notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.dayStart] })],
);

// RPM / RPD / TPM counters per upstream, flushed periodically and on stop, so limits survive a restart.
export const limitCounters = sqliteTable("limit_counters", {
  upstreamId: integer("upstream_id").primaryKey(),
  snapshot: text("snapshot", { mode: "json" }).notNull().$type<unknown>(),
  updatedAt: integer("updated_at").notNull(),
});

// The hourly rollup of request_logs, kept forever (issue 17; rollup.ts): retention deletes rows,
// never this. Keyed by hour start × upstream label ("" none) × model ("" none) × key id (0 none):
// NOT NULL stand-ins for none, so the key works as a primary key. Histograms: JSON arrays of counts.
const counter = (name: string) => integer(name).notNull().default(0);
export const logRollup = sqliteTable(
  "log_rollup",
  {
    hour: integer("hour").notNull(),
    upstream: text("upstream").notNull(),
    model: text("model").notNull(),
    keyId: integer("key_id").notNull(),
    ...counterColumns(counter),
    latencyHist: text("latency_hist").notNull(),
    ttftHist: text("ttft_hist").notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.upstream, t.model, t.keyId] })],
);
