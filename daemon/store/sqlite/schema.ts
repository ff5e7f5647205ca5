import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    userAgent: text("user_agent"),
  },
  (t) => [
    index("request_logs_ts").on(t.ts),
    index("request_logs_upstream").on(t.upstreamId, t.ts),
    index("request_logs_status").on(t.status, t.ts),
  ],
);
