// request_logs on Postgres: the SQLite columns in PG types. The JSON columns (plan, attempts,
// tool_calls) stay text, not jsonb: the batched insert then binds them as plain strings with no
// parse and no binary conversion on the server, and nothing queries inside them.
import { sql } from "drizzle-orm";
import { bigint, boolean, customType, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import type { BodiesOmitted } from "../types.ts";

// Full-text search (logs.query `search`): a GIN index on this expression, which queries repeat
// verbatim so the planner uses it. 'simple': no stemming or stop words, any language. Capped text:
// a tsvector cannot exceed 1 MB (a longer one fails the insert) and bodies may be 32 MB, and indexing
// costs CPU per character on every insert; the request's last 4 KiB (its newest message) and the
// reply's first 16 KiB are what is indexed, as on SQLite (sqlite/log-search.ts).
export const SEARCH_VECTOR = "to_tsvector('simple'::regconfig, right(coalesce(request_body, ''), 4096) || ' ' || left(coalesce(reply_text, ''), 16384))";

const ms = (name: string) => bigint(name, { mode: "number" });

// Byte-order text, like SQLite's: `order by id` and the `id < before` paging cursor must compare
// UUIDv7 ids the same on both backends, whatever the database's default collation.
const bytewiseText = customType<{ data: string; driverData: string }>({ dataType: () => 'text COLLATE "C"' });

export const requestLogs = pgTable(
  "request_logs",
  {
    id: bytewiseText("id").primaryKey(),
    ts: ms("ts").notNull(),
    clientIp: text("client_ip"),
    method: text("method").notNull(),
    path: text("path").notNull(),
    model: text("model"),
    stream: boolean("stream").notNull(),
    requestBody: text("request_body"),
    requestBytes: integer("request_bytes").notNull(),
    requestTruncated: boolean("request_truncated").notNull(),
    upstreamId: integer("upstream_id"),
    upstreamName: text("upstream_name"),
    upstreamModel: text("upstream_model"),
    plan: text("plan"),
    attempts: text("attempts").notNull(),
    status: integer("status").notNull(),
    ttfbMs: integer("ttfb_ms"),
    ttftMs: integer("ttft_ms"),
    totalMs: integer("total_ms").notNull(),
    replyText: text("reply_text"),
    toolCalls: text("tool_calls"),
    promptTokens: integer("prompt_tokens"),
    completionTokens: integer("completion_tokens"),
    totalTokens: integer("total_tokens"),
    tokensEstimated: boolean("tokens_estimated").notNull().default(false),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    userAgent: text("user_agent"),
    upstreamRequestId: text("upstream_request_id"),
    bodiesDropped: boolean("bodies_dropped").notNull().default(false),
    keyId: integer("key_id"),
    keyName: text("key_name"),
    costMicros: bigint("cost_micros", { mode: "number" }),
    priceSource: text("price_source"),
    cachedTokens: integer("cached_tokens"),
    cacheWriteTokens: integer("cache_write_tokens"),
    reasoningTokens: integer("reasoning_tokens"),
    affinity: boolean("affinity").notNull().default(false),
    bodiesOmitted: text("bodies_omitted").$type<BodiesOmitted>(), // as on SQLite: capture | disk_low | expired | max_size
    replyTruncated: boolean("reply_truncated").notNull().default(false),
  },
  (t) => [
    index("request_logs_ts").on(t.ts),
    // Partial: rows of shared keys pay no index write for it (as on SQLite).
    index("request_logs_key").on(t.keyId, t.ts).where(sql`${t.keyId} is not null`),
    index("request_logs_upstream").on(t.upstreamId, t.ts),
    index("request_logs_status").on(t.status, t.ts),
    index("request_logs_search").using("gin", sql.raw(SEARCH_VECTOR)),
  ],
);
